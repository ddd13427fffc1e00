// Internal hashing and flat hash tables of the engine: client-id interning and the
// registry of invoice and contract references. Not part of the public API.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clientrisk/detail/memory.hpp"

namespace clientrisk {
inline namespace v1 {
namespace detail {

// a + b, saturating at the limits of int64: ledger totals never overflow, whatever the input.
constexpr std::int64_t sat_add(std::int64_t a, std::int64_t b) {
  std::int64_t s;
  if (!__builtin_add_overflow(a, b, &s)) return s;
  return b > 0 ? INT64_MAX : INT64_MIN;
}

constexpr std::uint64_t mix64(std::uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

// The n (1 to 7) bytes at p as the low bytes of a word, the others zero: what memcpy into a
// zeroed word gives on a little-endian machine, without calling it. Two overlapping loads cover
// 4 to 7 bytes (their common bytes agree), three single bytes cover 1 to 3.
inline std::uint64_t tail_word(const char* p, std::size_t n) {
  if constexpr (std::endian::native != std::endian::little) {
    std::uint64_t w = 0;
    std::memcpy(&w, p, n);
    return w;
  }
  if (n >= 4) {
    std::uint32_t lo, hi;
    std::memcpy(&lo, p, 4);
    std::memcpy(&hi, p + n - 4, 4);
    return std::uint64_t{lo} | std::uint64_t{hi} << (8 * (n - 4));
  }
  auto byte = [&](std::size_t k) { return std::uint64_t{static_cast<unsigned char>(p[k])} << (8 * k); };
  return byte(0) | byte(n / 2) | byte(n - 1);
}

// a == b, with no call for strings of up to 16 bytes: tail_word() and two overlapping words
// hold every byte.
inline bool same_bytes(std::string_view a, std::string_view b) {
  const std::size_t n = a.size();
  if (n != b.size()) return false;
  if (n == 0) return true;
  if (n < 8) return tail_word(a.data(), n) == tail_word(b.data(), n);
  if (n > 16) return std::memcmp(a.data(), b.data(), n) == 0;
  std::uint64_t a0, a1, b0, b1;
  std::memcpy(&a0, a.data(), 8), std::memcpy(&a1, a.data() + n - 8, 8);
  std::memcpy(&b0, b.data(), 8), std::memcpy(&b1, b.data() + n - 8, 8);
  return a0 == b0 && a1 == b1;
}

// Hash of a byte string: 8-byte words folded through a 64-bit finaliser.
inline std::uint64_t hash_bytes(std::string_view s, std::uint64_t seed) {
  std::uint64_t h = mix64(seed ^ (s.size() * 0x9e3779b97f4a7c15ULL));
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    h = mix64(h ^ w) + 0x9e3779b97f4a7c15ULL;
  }
  if (i < s.size()) h = mix64(h ^ tail_word(s.data() + i, s.size() - i) ^ 0x5bd1e995ULL);
  return h;
}

// Client ids interned to dense indices in order of first appearance.
class Interner {
 public:
  static constexpr std::uint32_t npos = 0xffffffffu;

  std::uint32_t find(std::string_view name) const { return find(name, hash_bytes(name, 0)); }

  std::uint32_t find(std::string_view name, std::uint64_t h) const {
    if (slots_.empty()) return npos;
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (s.index == npos) return npos;
      if (s.tag == static_cast<std::uint32_t>(h >> 32) && same_bytes(this->name(s.index), name)) return s.index;
    }
  }

  // Starts loading the slot where the search for a name of hash h begins. Always inlined, as
  // every function that only prefetches: GCC takes __builtin_prefetch for free of side effects,
  // so it deems such a function pure and drops a call to it that it has not inlined.
  [[gnu::always_inline]] void prefetch(std::uint64_t h) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[h & (slots_.size() - 1)]);
  }

  // Index of name, adding it when new; h is hash_bytes(name, 0).
  std::uint32_t intern(std::string_view name, std::uint64_t h) {
    std::uint32_t found = find(name, h);
    return found != npos ? found : add(name, h);
  }

  // Adds a name find() does not know; h is hash_bytes(name, 0). Returns its index.
  std::uint32_t add(std::string_view name, std::uint64_t h) {
    if ((ends_.size() + 1) * 2 > slots_.size()) grow();
    const auto index = static_cast<std::uint32_t>(ends_.size());
    arena_.append(name);
    ends_.push_back(arena_.size());
    place(index, h);
    return index;
  }

  // Forgets every name from index n on (the rollback of a rejected batch).
  void truncate(std::size_t n) {
    // Newest first, each slot removed by backward shift: the cost is that of the names removed.
    for (std::size_t i = ends_.size(); i-- > n;) erase_slot(static_cast<std::uint32_t>(i));
    ends_.resize(n);
    arena_.resize(n == 0 ? 0 : ends_.back());
  }

  std::size_t size() const { return ends_.size(); }

  // Every name back to back, and the end of each in it: what a snapshot keeps.
  const std::string& arena() const { return arena_; }
  const BigVector<std::size_t>& ends() const { return ends_; }

  // Replaces every name by those of arena cut at ends (a loaded snapshot's). Returns what is
  // wrong when the ends do not cut arena into names, or a name is empty, has a control
  // character or repeats an earlier one; the interner is then empty.
  std::optional<std::string> assign(std::string arena, BigVector<std::size_t> ends) {
    arena_.clear(), ends_.clear(), slots_.clear();
    if (ends.size() >= npos) return "too many client ids";
    for (std::size_t i = 0, b = 0; i < ends.size(); b = ends[i++])
      if (ends[i] <= b || ends[i] > arena.size()) return "client id " + std::to_string(i) + " has no valid extent";
    if ((ends.empty() ? 0 : ends.back()) != arena.size()) return "client ids do not fill their " + std::to_string(arena.size()) + " bytes";
    for (unsigned char c : arena)
      if (c < 0x20) return std::string("a client id contains a control character");
    arena_ = std::move(arena);
    ends_ = std::move(ends);
    std::size_t capacity = 64;
    while ((ends_.size() + 1) * 2 > capacity) capacity *= 2;
    slots_.assign(capacity, Slot{});
    for (std::uint32_t i = 0; i < ends_.size(); ++i) {
      const std::uint64_t h = hash_bytes(name(i), 0);
      if (find(name(i), h) != npos) {
        std::string why = "client id '" + std::string(name(i)) + "' appears twice";
        arena_.clear(), ends_.clear(), slots_.clear();
        return why;
      }
      place(i, h);
    }
    return std::nullopt;
  }

  std::string_view name(std::uint32_t i) const {
    const std::size_t b = i == 0 ? 0 : ends_[i - 1];
    return std::string_view(arena_).substr(b, ends_[i] - b);
  }
  std::size_t memory_bytes() const {
    return arena_.capacity() + ends_.capacity() * sizeof(std::size_t) + slots_.capacity() * sizeof(Slot);
  }
  // See DeferHugePages.
  void advise_huge_pages() const {
    detail::advise_huge_pages(ends_);
    detail::advise_huge_pages(slots_);
  }

 private:
  struct Slot {
    std::uint32_t index = npos;
    std::uint32_t tag = 0;
  };
  void place(std::uint32_t index, std::uint64_t h) {
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = h & mask;
    while (slots_[i].index != npos) i = (i + 1) & mask;
    slots_[i] = Slot{index, static_cast<std::uint32_t>(h >> 32)};
  }
  void erase_slot(std::uint32_t index) {
    const std::size_t mask = slots_.size() - 1;
    auto home = [&](std::uint32_t k) { return hash_bytes(name(k), 0) & mask; };
    std::size_t i = home(index);
    while (slots_[i].index != index) i = (i + 1) & mask;
    for (std::size_t j = (i + 1) & mask; slots_[j].index != npos; j = (j + 1) & mask) {
      if (((j - home(slots_[j].index)) & mask) >= ((j - i) & mask)) {
        slots_[i] = slots_[j];
        i = j;
      }
    }
    slots_[i] = Slot{};
  }
  void grow() { rebuild(slots_.empty() ? 64 : slots_.size() * 2); }
  void rebuild(std::size_t capacity) {
    slots_.assign(capacity, Slot{});
    for (std::uint32_t i = 0; i < ends_.size(); ++i) place(i, hash_bytes(name(i), 0));
  }

  std::string arena_;               // every name, back to back
  BigVector<std::size_t> ends_;     // end of each name in arena_
  std::vector<Slot, HugePageAllocator<Slot>> slots_;
};

// Open-addressing map from a non-zero 64-bit key to a small value, linear probing. The keys lie
// in an array of their own, eight to a cache line, so that a probe rarely reads more than one
// line; the values lie in a parallel array. Values never move but when the table grows or a key
// is erased.
template <class Value>
class FlatMap {
 public:
  Value* find(std::uint64_t key) {
    if (keys_.empty()) return nullptr;
    const std::size_t mask = keys_.size() - 1;
    for (std::size_t i = home(key);; i = (i + 1) & mask) {
      if (keys_[i] == key) return &values_[i];
      if (keys_[i] == 0) return nullptr;
    }
  }
  const Value* find(std::uint64_t key) const { return const_cast<FlatMap*>(this)->find(key); }

  // Inserts key with a default value; returns the value and whether it was new.
  std::pair<Value*, bool> insert(std::uint64_t key) {
    if ((size_ + 1) * 10 > keys_.size() * 7) rehash(keys_.empty() ? 64 : keys_.size() * 2);
    const std::size_t mask = keys_.size() - 1;
    std::size_t i = home(key);
    for (; keys_[i] != 0; i = (i + 1) & mask)
      if (keys_[i] == key) return {&values_[i], false};
    keys_[i] = key;
    values_[i] = Value{};
    ++size_;
    return {&values_[i], true};
  }

  // Removes a key (backward-shift deletion keeps probe chains intact).
  void erase(std::uint64_t key) {
    if (keys_.empty()) return;
    const std::size_t mask = keys_.size() - 1;
    std::size_t i = home(key);
    while (keys_[i] != key) {
      if (keys_[i] == 0) return;
      i = (i + 1) & mask;
    }
    for (std::size_t j = (i + 1) & mask; keys_[j] != 0; j = (j + 1) & mask) {
      // Move j back into the hole at i when its home is not in the cyclic range (i, j].
      if (((j - home(keys_[j])) & mask) >= ((j - i) & mask)) {
        keys_[i] = keys_[j];
        values_[i] = values_[j];
        i = j;
      }
    }
    keys_[i] = 0;
    --size_;
    ++moves_;
  }

  // Starts loading the key and the value where a search for key begins; lookups of many keys in
  // a row then overlap their cache misses instead of paying for each in turn. Always inlined
  // (see Interner::prefetch).
  [[gnu::always_inline]] void prefetch(std::uint64_t key) const {
    if (keys_.empty()) return;
    const std::size_t i = home(key);
    __builtin_prefetch(&keys_[i]);
    __builtin_prefetch(&values_[i]);
  }

  // Makes room for n more keys without rehashing on the way.
  void reserve_more(std::size_t n) {
    std::size_t capacity = keys_.empty() ? 64 : keys_.size();
    while ((size_ + n) * 10 > capacity * 7) capacity *= 2;
    if (capacity != keys_.size()) rehash(capacity);
  }

  // The value at a slot, and the slot of a value: valid while moves() stands still.
  Value& value_at(std::size_t slot) { return values_[slot]; }
  std::size_t index_of(const Value* v) const { return static_cast<std::size_t>(v - values_.data()); }
  // Counts the changes that move values: growth and erasure.
  std::uint64_t moves() const { return moves_; }

  std::size_t size() const { return size_; }
  std::size_t memory_bytes() const { return keys_.capacity() * sizeof(std::uint64_t) + values_.capacity() * sizeof(Value); }
  // See DeferHugePages.
  void advise_huge_pages() const {
    detail::advise_huge_pages(keys_);
    detail::advise_huge_pages(values_);
  }

  // Calls f(key, value) for every entry, in slot order.
  template <class F>
  void for_each(F f) const {
    for (std::size_t i = 0; i < keys_.size(); ++i)
      if (keys_[i] != 0) f(keys_[i], values_[i]);
  }

 private:
  std::size_t home(std::uint64_t key) const { return mix64(key) & (keys_.size() - 1); }

  // Both arrays are allocated before either is replaced: a failure leaves the map as it was.
  void rehash(std::size_t capacity) {
    BigVector<std::uint64_t> keys(capacity, 0);
    BigVector<Value> values(capacity);
    const std::size_t mask = capacity - 1;
    for (std::size_t j = 0; j < keys_.size(); ++j) {
      if (keys_[j] == 0) continue;
      std::size_t i = mix64(keys_[j]) & mask;
      while (keys[i] != 0) i = (i + 1) & mask;
      keys[i] = keys_[j];
      values[i] = values_[j];
    }
    keys_.swap(keys);
    values_.swap(values);
    ++moves_;
  }

  BigVector<std::uint64_t> keys_;  // 0: an empty slot
  BigVector<Value> values_;
  std::size_t size_ = 0;
  std::uint64_t moves_ = 0;
};

}  // namespace detail
}  // namespace v1
}  // namespace clientrisk
