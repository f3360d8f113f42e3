"""Build ``pose_landmarker_full.task`` from the Apache-2.0 models in the mediapipe 0.10.21 wheel.

The current mediapipe (1.2.x) ships only the Tasks API and no model, and formcheck must never
download weights at run time.  The 0.10.21 wheel still contains the two TFLite graphs the pose
landmarker needs.  The Tasks API refuses the landmark graph unless it carries TFLite metadata that
declares the input normalisation, so this script adds it with mediapipe's own metadata writer
(which that same wheel ships) and zips both graphs, uncompressed, under the names the Tasks API
expects.

The output is byte-for-byte reproducible: fixed zip timestamps and order, deterministic metadata.

Usage::

    python models/build_model.py [--wheel PATH_TO_mediapipe-0.10.21-*.whl] [--out PATH]

Without ``--wheel`` the wheel is fetched with ``pip download --no-deps mediapipe==0.10.21``.
The metadata writer uses compiled helpers from the wheel, so run this with the CPython version
and platform the wheel was built for (the one ``pip download`` picks for the running interpreter).
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
import types
import zipfile
from pathlib import Path

WHEEL_VERSION = "0.10.21"
DETECTOR_IN_WHEEL = "mediapipe/modules/pose_detection/pose_detection.tflite"
LANDMARKS_IN_WHEEL = "mediapipe/modules/pose_landmark/pose_landmark_full.tflite"
#: Entry names inside the ``.task`` bundle that the PoseLandmarker graph looks up.
DETECTOR_IN_TASK = "pose_detector.tflite"
LANDMARKS_IN_TASK = "pose_landmarks_detector.tflite"
#: Fixed timestamp for zip entries so rebuilding gives identical bytes.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)

#: Output tensors of pose_landmark_full.tflite, in graph order (see the model card).
LANDMARK_OUTPUTS = (
    ("landmarks", "33 x (x, y, z, visibility, presence) in input-image pixels (256 x 256)."),
    ("pose_flag", "Score that a pose is present in the crop."),
    ("segmentation", "Person segmentation logits (256 x 256)."),
    ("heatmap", "Landmark heatmap (64 x 64 x 39)."),
    ("world_landmarks", "39 x (x, y, z) in metres, origin at the hip centre."),
)


def fetch_wheel(dest: Path) -> Path:
    """Download the 0.10.21 wheel for this interpreter into ``dest`` (a package registry only)."""
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
         f"mediapipe=={WHEEL_VERSION}", "-d", str(dest)],
        check=True,
    )
    wheels = sorted(dest.glob(f"mediapipe-{WHEEL_VERSION}-*.whl"))
    if not wheels:
        raise SystemExit(f"pip download produced no mediapipe {WHEEL_VERSION} wheel in {dest}")
    return wheels[0]


def _import_metadata_writer(extracted: Path) -> types.ModuleType:
    """Import the wheel's metadata writer without running the old package's ``__init__`` files.

    The old ``mediapipe/__init__.py`` pulls in the legacy solutions and their compiled framework;
    the writer needs none of that, so bare modules stand in for the package and its parents.
    """
    for name in [n for n in sys.modules if n == "mediapipe" or n.startswith("mediapipe.")]:
        del sys.modules[name]
    for package in ("mediapipe", "mediapipe.tasks", "mediapipe.tasks.python"):
        stub = types.ModuleType(package)
        stub.__path__ = [str(extracted.joinpath(*package.split(".")))]
        sys.modules[package] = stub
    from mediapipe.tasks.python.metadata.metadata_writers import metadata_writer

    return metadata_writer


def add_landmark_metadata(model: bytes, extracted: Path) -> bytes:
    """Return the landmark graph with metadata: RGB input scaled to [0, 1] and its five outputs."""
    mw = _import_metadata_writer(extracted)
    writer = mw.MetadataWriter.create(bytearray(model))
    writer.add_general_info("pose_landmarks_detector", "BlazePose GHUM 3D full, from mediapipe "
                            f"{WHEEL_VERSION} (Apache-2.0).")
    writer.add_image_input(norm_mean=[0.0], norm_std=[255.0],
                           color_space_type=mw.metadata_fb.ColorSpaceType.RGB)
    for name, description in LANDMARK_OUTPUTS:
        writer.add_feature_output(name=name, description=description)
    content, _json = writer.populate()
    return bytes(content)


def build(wheel: Path, out: Path) -> str:
    """Write the ``.task`` bundle to ``out`` and return its sha256."""
    with tempfile.TemporaryDirectory() as tmp:
        extracted = Path(tmp)
        with zipfile.ZipFile(wheel) as zf:
            members = [m for m in zf.namelist()
                       if m.startswith("mediapipe/tasks/") or m in (DETECTOR_IN_WHEEL,
                                                                     LANDMARKS_IN_WHEEL)]
            zf.extractall(extracted, members)
        detector = (extracted / DETECTOR_IN_WHEEL).read_bytes()
        landmarks = add_landmark_metadata((extracted / LANDMARKS_IN_WHEEL).read_bytes(), extracted)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, data in ((DETECTOR_IN_TASK, detector), (LANDMARKS_IN_TASK, landmarks)):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return hashlib.sha256(out.read_bytes()).hexdigest()


def main(argv: list[str] | None = None) -> int:
    """Build the model from a given or downloaded wheel and print its sha256."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, help="mediapipe 0.10.21 wheel (else pip download)")
    parser.add_argument("--out", type=Path,
                        default=Path(__file__).resolve().parent / "pose_landmarker_full.task")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or fetch_wheel(Path(tmp))
        digest = build(wheel, args.out)
    print(f"{args.out}  sha256 {digest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
