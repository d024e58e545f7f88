#!/usr/bin/python3
"""Writes the bad-input corpus (tests/corpus): files that every loader must refuse with a clear error.

Run from this folder with Debian's python3-pil, python3-scipy and python3-torch: /usr/bin/python3 make_corpus.py
cases.tsv lists every case (file or config, and the words its error must contain); the files are committed.
"""
import json, os, struct, zlib
import numpy as np
from PIL import Image
import scipy.io
import torch

here = os.path.dirname(os.path.abspath(__file__))
real_jpeg = os.path.join(here, "..", "fixtures", "voc-sample", "VOCdevkit", "VOC2012", "JPEGImages", "2011_000003.jpg")
real_png = os.path.join(here, "..", "fixtures", "voc-sample", "VOCdevkit", "VOC2012", "SegmentationClass", "2011_000003.png")


def write(path, data):
    path = os.path.join(here, path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def png_chunk(kind, payload):
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)


def png_header_only(width, height):
    """A PNG whose header declares the size and whose pixel data is a single empty deflate block."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", zlib.compress(b"")) + png_chunk(b"IEND", b"")


def jpeg_header_only(width, height):
    """SOI, a baseline SOF0 frame header declaring the size, EOI: identifiable, not decodable."""
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 17, 8, height, width, 3) + b"\x01\x22\x00\x02\x11\x01\x03\x11\x01"
    return b"\xff\xd8" + sof + b"\xff\xd9"


for folder in ("images", "masks", "pairs", "mat", "lists", "episodes", "foldlists", "configs", "weights"):
    os.makedirs(os.path.join(here, folder), exist_ok=True)
jpeg = open(real_jpeg, "rb").read()
png = open(real_png, "rb").read()

# Images
write("images/truncated.jpg", jpeg[:200])
write("images/half.jpg", jpeg[: len(jpeg) // 2][:600])
write("images/empty.jpg", b"")
write("images/text.jpg", "this is not a JPEG\n")
write("images/truncated.png", png[:100])
write("images/huge-20000.jpg", jpeg_header_only(20000, 20000))
write("images/huge-20000.png", png_header_only(20000, 20000))
write("images/wide-5000x10.png", png_header_only(5000, 10))
write("images/zero-pixels.png", png_header_only(0, 0))
write("images/html.png", "<html><body>404</body></html>")

# Masks
write("masks/truncated.png", png[:300])
write("masks/empty.png", b"")
img = Image.fromarray(np.full((6, 8), 50, dtype=np.uint8), mode="L")
img.save(os.path.join(here, "masks/gray-label-50.png"))
pal = Image.fromarray(np.array([[0, 1, 30], [2, 3, 4]], dtype=np.uint8), mode="P")
pal.putpalette([v for i in range(256) for v in ((i * 7) % 256, (i * 13) % 256, (i * 29) % 256)])
pal.save(os.path.join(here, "masks/palette-index-30.png"))
write("masks/huge-20000.png", png_header_only(20000, 20000))
write("masks/text.png", "P5 8 8 255\n")

# Image and mask pairs
Image.fromarray(np.zeros((5, 8, 3), dtype=np.uint8)).save(os.path.join(here, "pairs/8x5.jpg"))
Image.fromarray(np.zeros((5, 7), dtype=np.uint8), mode="L").save(os.path.join(here, "pairs/7x5.png"))
Image.fromarray(np.zeros((5, 8), dtype=np.uint8), mode="L").save(os.path.join(here, "pairs/8x5.png"))

# SBD .mat files
good = {"GTcls": {"Segmentation": np.ones((4, 5), dtype=np.uint8), "Boundaries": np.zeros((1, 1)), "CategoriesPresent": np.array([1])}}
buffer_path = os.path.join(here, "mat/_good.mat")
os.makedirs(os.path.dirname(buffer_path), exist_ok=True)
scipy.io.savemat(buffer_path, good)
mat = open(buffer_path, "rb").read()
os.remove(buffer_path)
write("mat/truncated.mat", mat[:150])
write("mat/empty.mat", b"")
write("mat/text.mat", "MATLAB 5.0 MAT-file, but not really\n")
scipy.io.savemat(os.path.join(here, "mat/no-gtcls.mat"), {"GTinst": {"Segmentation": np.ones((4, 5), dtype=np.uint8)}})
scipy.io.savemat(os.path.join(here, "mat/gtcls-is-a-number.mat"), {"GTcls": 3.0})
scipy.io.savemat(os.path.join(here, "mat/label-40.mat"), {"GTcls": {"Segmentation": np.full((4, 5), 40, dtype=np.uint8)}})
scipy.io.savemat(os.path.join(here, "mat/no-segmentation.mat"), {"GTcls": {"Boundaries": np.zeros((1, 1))}})

# Lists
write("lists/empty.txt", "")
write("lists/blank-lines.txt", "\n   \n\n")
write("lists/traversal.txt", "2007_000032\n../../etc/passwd\n")
write("lists/long-id.txt", "x" * 100000 + "\n")
write("lists/slash.txt", "JPEGImages/2007_000032\n")

# Episode lists
write("episodes/empty.txt", "")
write("episodes/mixed-shots.txt", "a 1 b\nc 2 d e\n")
write("episodes/class-word.txt", "a cat b\n")
write("episodes/class-0.txt", "a 0 b\n")
write("episodes/class-21.txt", "a 21 b\n")
write("episodes/no-supports.txt", "a 1\n")

# Fold lists
write("foldlists/unknown-class.txt", "2007_000032 unicorn\n")
write("foldlists/no-class.txt", "2007_000032\n")
write("foldlists/empty.txt", "")
write("foldlists/class-99.txt", "2007_000032__99\n")

# Run configs (JSON, as `--config` reads them)
write("configs/unknown-key.json", json.dumps({"Folds": [0], "Foldz": [1]}))
write("configs/folds-wrong-type.json", json.dumps({"Folds": "zero"}))
write("configs/iterations-string.json", json.dumps({"Iterations": "many"}))
write("configs/not-json.json", "Folds = [0]\n")
write("configs/array.json", json.dumps([{"Folds": [0]}]))
write("configs/folds-null.json", json.dumps({"Folds": None}))
write("configs/empty.json", "")
write("configs/fold-7.json", json.dumps({"Folds": [7]}))
write("configs/fold-negative.json", json.dumps({"Folds": [-1]}))
write("configs/shots-0.json", json.dumps({"Shots": [0]}))
write("configs/shots-50.json", json.dumps({"Shots": [50]}))
write("configs/iterations-0.json", json.dumps({"Iterations": 0}))
write("configs/iterations-negative.json", json.dumps({"Iterations": -5}))
write("configs/episodes-0.json", json.dumps({"Episodes": 0}))
write("configs/batch-0.json", json.dumps({"BatchSize": 0}))
write("configs/threshold-1.5.json", json.dumps({"Threshold": 1.5}))
write("configs/precision-fp16.json", json.dumps({"InferencePrecision": "fp16"}))
write("configs/lr-negative.json", json.dumps({"LearningRate": -1}))
write("configs/unknown-method.json", json.dumps({"Methods": ["oslsm", "magic"]}))
write("configs/unknown-preset.json", json.dumps({"Preset": "resnet-9000"}))
write("configs/long-run-id.json", json.dumps({"RunId": "r" * 10000}))
write("configs/run-id-path.json", json.dumps({"RunId": "../../etc"}))
write("configs/voc-outside-roots.json", json.dumps({"Voc": "/etc"}))
write("configs/voc-traversal.json", json.dumps({"Voc": "{root}/../../../../etc"}))
write("configs/voc-missing.json", json.dumps({"Voc": "{root}/no-such-folder"}))
write("configs/voc-long.json", json.dumps({"Voc": "{root}/" + "a" * 5000}))
write("configs/weights-outside-roots.json", json.dumps({"ImageNetWeights": "/etc/passwd"}))

# Weights
torch.save(torch.zeros(3, 3), os.path.join(here, "weights/a-tensor.pth"))
torch.save({"features.0.weight": torch.zeros(3, 3, 3, 3), "features.0.bias": torch.zeros(3)}, os.path.join(here, "weights/wrong-shapes.pth"))
torch.save({"step": 3, "name": "not tensors"}, os.path.join(here, "weights/no-tensors.pth"))
full = open(os.path.join(here, "weights/wrong-shapes.pth"), "rb").read()
write("weights/truncated.pth", full[: len(full) // 3])
write("weights/text.pth", "weights go here\n")
write("weights/empty.pth", b"")
