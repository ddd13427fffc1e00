"""Builds clientrisk._core with the project's CMake, for pip and python -m build (pyproject.toml).

The extension is the CMake target clientrisk_python, built in Release with the tests, benchmarks
and command line off. CLIENTRISK_BUILD_DIR names the CMake build folder to use (kept between
builds, so that a second build is incremental); by default it is under setuptools' build_temp.
"""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent


def version():
    text = (ROOT / "include" / "clientrisk" / "version.hpp").read_text(encoding="utf-8")
    number = int(re.search(r"#define CLIENTRISK_VERSION (\d+)", text).group(1))
    return f"{number // 10000}.{number // 100 % 100}.{number % 100}"


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        build_dir = Path(os.environ.get("CLIENTRISK_BUILD_DIR") or Path(self.build_temp).resolve() / "cmake")
        build_dir.mkdir(parents=True, exist_ok=True)
        configure = [
            "cmake", "-S", str(ROOT), "-B", str(build_dir),
            "-DCMAKE_BUILD_TYPE=Release",
            f"-DPython_EXECUTABLE={sys.executable}",
            "-DCLIENTRISK_BUILD_PYTHON=ON",
            "-DCLIENTRISK_BUILD_TESTS=OFF",
            "-DCLIENTRISK_BUILD_BENCHMARKS=OFF",
            "-DCLIENTRISK_BUILD_CLI=OFF",
            "-DCLIENTRISK_INSTALL=OFF",
        ]
        jobs = os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL") or str(os.cpu_count() or 1)
        subprocess.run(configure, check=True)
        subprocess.run(["cmake", "--build", str(build_dir), "--target", "clientrisk_python", "-j", jobs], check=True)
        built = sorted((build_dir / "python" / "clientrisk").glob("_core*.so"))
        if len(built) != 1:
            raise RuntimeError(f"expected one clientrisk/_core*.so in {build_dir / 'python'}, found {built}")
        target = Path(self.get_ext_fullpath(ext.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built[0], target)


setup(
    version=version(),
    ext_modules=[Extension("clientrisk._core", sources=[])],
    cmdclass={"build_ext": CMakeBuild},
)
