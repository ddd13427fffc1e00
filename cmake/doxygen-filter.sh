#!/bin/sh
# Doxygen's input filter for clientrisk's headers, whose comments are plain: a comment line of its own
# becomes a documentation comment of what follows (// -> ///, /* -> /**), and a comment after a member
# documents that member (///<, /**<). The headers themselves stay as they are.
exec sed -e 's|^\( *\)// |\1/// |' -e 's|^\( *\)/\* |\1/** |' \
         -e 's|\([;,]\)\( *\)// |\1\2///< |' -e 's|\([;,]\)\( *\)/\* |\1\2/**< |' "$1"
