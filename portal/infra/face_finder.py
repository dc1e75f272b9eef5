"""Finding the face and the eyes on a small grey copy, and judging its light and sharpness, for the photo
assistant (``portal.infra.photo_assistant``), with every threshold the assistant uses in one place.

Local only: OpenCV's Haar cascades ship inside the ``opencv-python-headless`` wheel (``cv2.data``); nothing
is fetched at run time. Each request thread has its own detectors.
"""

from __future__ import annotations

import math
import threading
from typing import Any

from portal.infra.image_pixels import opencv as _cv2

# All thresholds in one place, tuned on tests/unit/test_photo_assistant.py's photo set.
THRESHOLDS: dict[str, float] = {
    "analyse_side": 640,       # the grey copy the eyes, light and sharpness are judged on
    "preview_side": 1600,      # a whole photo decodes once at least this long, for the look and the framing
    "detect_fine": 400,        # ... and a finer one when the coarse one finds nothing
    "detect_quick": 120,       # a first look on a copy this long finds the big face of a usual ID photo
    "detect_side": 200,        # detection runs on a copy this long on its longest side
    "detect_step": 1.1,        # scale step of the detector (1.2 misses faces between its steps)
    "face_min_share": 0.07,    # smallest face (box height / image height) the detector looks for
    "head_per_face_box": 1.30,  # chin-to-crown is about this much taller than the detector's face box
    "head_height": 0.70,       # head height as a share of the frame height
    "eye_line": 0.45,          # eye line, from the top of the frame
    "eye_in_box": 0.40,        # eye line inside the face box (when the eyes are not found)
    "face_too_small": 0.12,    # a face box below this share of the picture's height is "too far away"
    "blur_min": 0.9,           # Laplacian variance / mean² of the face (96 px square), x1000; below: blurred
    "dark_max": 65.0,          # mean face brightness (0-255) below this: too dark
    "bright_min": 215.0,       # mean face brightness above this, or too much of the face clipped: too bright
    "clipped_max": 0.25,       # share of face pixels at >= 250 counted as "too bright"
    "backlit_gap": 70.0,       # background this much brighter than the face: lit from behind
    "tilt_warn": 7.0,          # degrees of eye-line tilt that are reported ("head tilted")
    "level_min": 5.0,          # tilts below this are levelled as first measured (no second look)
    "level_max": 25.0,         # tilts up to this are levelled in the crop
    "eyes_min_face_px": 90,    # the eyes are judged only on faces at least this tall in the analysed copy
    "eyes_face_px": 100,       # ... and looked for on the face scaled to this width (the eye finder's cost
                               # grows with the face's pixels and scales; its 20 px window fits the eyes here)
    "detect_neighbours": 6,    # overlapping hits the detector needs for a face (fewer: more false faces)
}

_per_thread = threading.local()


def _cascades() -> tuple[Any, Any, Any]:
    """This thread's own detectors: OpenCV's CascadeClassifier is not safe to share between threads (two
    request threads of one gunicorn worker detecting at once failed its scale assertion in `make soak`)."""
    mine = getattr(_per_thread, "cascades", None)
    if mine is None:
        cv2 = _cv2()
        cv2.setNumThreads(1)  # one photo per request thread; the server's workers share the cores
        base = cv2.data.haarcascades
        mine = _per_thread.cascades = (cv2.CascadeClassifier(base + "haarcascade_frontalface_default.xml"),
                                       cv2.CascadeClassifier(base + "haarcascade_eye.xml"),
                                       cv2.CascadeClassifier(base + "haarcascade_eye_tree_eyeglasses.xml"))
    return mine


def _detect_at(grey: Any, side: int) -> list[tuple[int, int, int, int]]:
    """Faces found on a copy `side` pixels on its longest side, in pixels of `grey`."""
    cv2 = _cv2()

    face_cascade, _eye, _glasses = _cascades()
    k = min(1.0, side / max(grey.shape))
    copy = cv2.resize(grey, (round(grey.shape[1] * k), round(grey.shape[0] * k)), interpolation=cv2.INTER_AREA)
    smallest = max(24, int(copy.shape[0] * THRESHOLDS["face_min_share"]))
    faces = face_cascade.detectMultiScale(copy, scaleFactor=THRESHOLDS["detect_step"],
                                          minNeighbors=int(THRESHOLDS["detect_neighbours"]),
                                          minSize=(smallest, smallest))
    return [tuple(round(v / k) for v in f) for f in faces] if len(faces) else []


def _detect(grey: Any) -> list[tuple[int, int, int, int]]:
    """A quick look first (a face of a fifth of the height or more: most ID photos end here, and a second
    face of about the same size is seen too), then the coarse one, finer only when needed. A face the quick
    look found is measured again on the coarse copy, near where it is, for the framing's precision."""
    quick = _detect_at(grey, int(THRESHOLDS["detect_quick"]))
    if quick:
        return [_refine(grey, face) for face in quick]
    return _detect_at(grey, int(THRESHOLDS["detect_side"])) or _detect_at(grey, int(THRESHOLDS["detect_fine"]))


def _refine(grey: Any, face: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """The face measured on the coarse copy, looking only around it and near its size (a few windows)."""
    cv2 = _cv2()

    face_cascade, _eye, _glasses = _cascades()
    x, y, w, h = face
    x0, y0 = max(0, x - w // 2), max(0, y - h // 2)
    x1, y1 = min(grey.shape[1], x + w + w // 2), min(grey.shape[0], y + h + h // 2)
    k = min(1.0, THRESHOLDS["detect_side"] / max(grey.shape))
    region = cv2.resize(grey[y0:y1, x0:x1], (max(1, round((x1 - x0) * k)), max(1, round((y1 - y0) * k))),
                        interpolation=cv2.INTER_AREA)
    low, high = max(24, int(h * k * 0.8)), int(h * k * 1.25) + 1
    found = face_cascade.detectMultiScale(region, scaleFactor=THRESHOLDS["detect_step"],
                                          minNeighbors=int(THRESHOLDS["detect_neighbours"]),
                                          minSize=(low, low), maxSize=(high, high))
    if not len(found):
        return face
    fx, fy, fw, fh = max(found, key=lambda f: f[2] * f[3])
    return round(x0 + fx / k), round(y0 + fy / k), round(fw / k), round(fh / k)


def _eyes(grey: Any, face: tuple[int, int, int, int]) -> list[tuple[float, float]] | None:
    """The two eye centres inside the face's upper half, or None (looked for on the face scaled to
    ``eyes_face_px`` wide)."""
    cv2 = _cv2()

    _face, eye_cascade, glasses_cascade = _cascades()
    x, y, w, h = face
    top = y + int(h * 0.15)
    upper = grey[top: y + int(h * 0.6), x: x + w]
    k = min(1.0, THRESHOLDS["eyes_face_px"] / w)
    if k < 1:
        upper = cv2.resize(upper, (max(1, round(upper.shape[1] * k)), max(1, round(upper.shape[0] * k))),
                           interpolation=cv2.INTER_AREA)
    ws = w * k
    side = max(8, int(ws // 9))
    for cascade in (eye_cascade, glasses_cascade):
        found = cascade.detectMultiScale(upper, scaleFactor=1.08, minNeighbors=5, minSize=(side, side),
                                         maxSize=(int(ws // 3), int(ws // 3)))
        left = [e for e in found if e[0] + e[2] / 2 < ws / 2]
        right = [e for e in found if e[0] + e[2] / 2 >= ws / 2]
        if left and right:
            a = max(left, key=lambda e: e[2])
            b = max(right, key=lambda e: e[2])
            return [(x + (a[0] + a[2] / 2) / k, top + (a[1] + a[3] / 2) / k),
                    (x + (b[0] + b[2] / 2) / k, top + (b[1] + b[3] / 2) / k)]
    return None


def _eye_angle(grey: Any, face: tuple[int, int, int, int], eyes: list[tuple[float, float]]) -> float:
    """Degrees the eye line falls to the right. The eye detector's boxes are coarse on a tilted face, so the
    copy is turned upright by what was measured and the rest measured again (twice at most)."""
    cv2 = _cv2()

    (ax, ay), (bx, by) = eyes
    angle = math.degrees(math.atan2(by - ay, bx - ax))
    x, y, w, h = face
    for _round in range(2):
        if abs(angle) < THRESHOLDS["level_min"]:
            break
        turn = cv2.getRotationMatrix2D((x + w / 2, y + h / 2), angle, 1.0)
        upright = cv2.warpAffine(grey, turn, (grey.shape[1], grey.shape[0]), borderMode=cv2.BORDER_REPLICATE)
        again = _eyes(upright, face)
        if not again:
            break
        (ax, ay), (bx, by) = again
        rest = math.degrees(math.atan2(by - ay, bx - ax))
        angle += rest
        if abs(rest) < 1:
            break
    return angle


def _light(grey: Any, face: tuple[int, int, int, int]) -> list[str]:
    import numpy as np

    x, y, w, h = face
    inner = grey[y + h // 8: y + h - h // 8, x + w // 8: x + w - w // 8]
    mean = float(inner.mean())
    clipped = float((inner >= 250).mean())
    found = []
    if mean < THRESHOLDS["dark_max"]:
        found.append("too_dark")
    elif mean > THRESHOLDS["bright_min"] or clipped > THRESHOLDS["clipped_max"]:
        found.append("too_bright")
    mask = np.ones(grey.shape, dtype=bool)
    mask[max(0, y - h // 2): y + h + h, max(0, x - w // 2): x + w + w // 2] = False
    if mask.any() and "too_bright" not in found:
        background = float(grey[mask].mean())
        if background - mean > THRESHOLDS["backlit_gap"]:
            found.append("backlit")
    return found


def _sharpness(grey: Any, face: tuple[int, int, int, int]) -> float:
    cv2 = _cv2()

    x, y, w, h = face
    patch = grey[y + h // 5: y + h - h // 5, x + w // 5: x + w - w // 5]
    patch = cv2.resize(patch.astype("float64"), (96, 96), interpolation=cv2.INTER_AREA)
    level = float(patch.mean())  # relative to the face's brightness: a dark face is not a blurred one
    return float(cv2.Laplacian(patch, cv2.CV_64F).var()) / (level * level) * 1000 if level > 1 else 0.0
