#!/usr/bin/python3
"""PyTorch reference of SegCluster's OSLSM network (Learning/Models), same module names and state-dict keys.

usage: oslsm_reference.py write PRESET SEED WEIGHTS.pth INPUTS.pth LOGITS.pth QUERY_SIZE SUPPORT_SIZE SHOTS
  Builds the network with random weights (seeded), saves its state dict, random inputs, and the logits of
  forward(query, supports) in eval mode. SegCluster loads the first two and must reproduce the third.
usage: oslsm_reference.py imagenet PRESET SEED OUT.pth
  Writes a torchvision-layout ImageNet state dict (features.N, classifier.N) with random values.
usage: oslsm_reference.py serve PRESET WEIGHTS.pth EPISODE.json OUT.pth
  The parity benchmark's PyTorch side: one whole OSLSM episode at a time, as SegCluster scores it (Learning/
  Evaluation: EpisodeEvaluator, OslsmSolver; Learning/Data/EpisodeTensors). EPISODE.json names the query image and
  mask, the class, the support images and masks, and the network's input sides. Prints {"torch": VERSION,
  "threads": N} (threads from TORCH_THREADS); then, for each line "episode" read from standard input: decodes the
  images (PIL), resizes (bilinear) and normalises them, zeroes each support outside its class, runs both branches,
  upsamples to the query's size, thresholds at 0.5 and ORs the k masks, and scores the foreground IoU against the
  query's mask (void ignored); prints {"seconds": S, "iou": I}. At the end of its input saves the last episode's
  network inputs, logits and predicted mask.
"""
import json
import time
import sys
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

PRESETS = {
    # name: (backbone, stages, fc, fc8 outputs, fc6 kernel, dilated)
    "vgg16-fcn32s": ("vgg", [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]], 4096, 1000, 7, False),
    "vgg16-dilated8": ("vgg", [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]], 4096, 1000, 7, True),
    "alexnet": ("alexnet", [], 4096, 1000, 6, False),
    "tiny": ("vgg", [[8], [16], [32], [32], [32]], 64, 100, 2, True),
}


def features(backbone, stages, dilate=False, fully_convolutional=False):
    if backbone == "alexnet":
        pad = 1 if fully_convolutional else 0   # the segmentation trunk's pools pad (SegCluster's BackboneLayers.Features)
        return nn.Sequential(
            nn.Conv2d(3, 64, 11, stride=4, padding=2), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2, padding=pad),
            nn.Conv2d(64, 192, 5, padding=2), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2, padding=pad),
            nn.Conv2d(192, 384, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2, padding=pad))
    layers, channels = [], 3
    for s, stage in enumerate(stages):
        d = 2 if dilate and s == 4 else 1
        for width in stage:
            layers += [nn.Conv2d(channels, width, 3, padding=d, dilation=d), nn.ReLU(inplace=True)]
            channels = width
        layers.append(nn.Identity() if dilate and s >= 3 else nn.MaxPool2d(2, 2, ceil_mode=True))
    return nn.Sequential(*layers)


def classifier(backbone, flat, fc, out):
    if backbone == "alexnet":
        return nn.Sequential(nn.Dropout(), nn.Linear(flat, fc), nn.ReLU(inplace=True), nn.Dropout(),
                             nn.Linear(fc, fc), nn.ReLU(inplace=True), nn.Linear(fc, out))
    return nn.Sequential(nn.Linear(flat, fc), nn.ReLU(inplace=True), nn.Dropout(),
                         nn.Linear(fc, fc), nn.ReLU(inplace=True), nn.Dropout(), nn.Linear(fc, out))


class Hashing(nn.Module):
    def __init__(self, inputs, outputs):
        super().__init__()
        self.register_buffer("index", torch.randint(0, inputs, (outputs,)))
        self.register_buffer("sign", torch.randint(0, 2, (outputs,)).float() * 2 - 1)

    def forward(self, x):
        return x.index_select(1, self.index) * self.sign


class Conditioning(nn.Module):
    def __init__(self, p):
        super().__init__()
        backbone, stages, fc, out, k, _ = p
        channels = 256 if backbone == "alexnet" else stages[-1][-1]
        self.features = features(backbone, stages)
        self.avgpool = nn.AdaptiveAvgPool2d((k, k))
        self.classifier = classifier(backbone, channels * k * k, fc, out)
        self.hashing = Hashing(out, fc + 1)

    def forward(self, s):
        return self.hashing(self.classifier(torch.flatten(self.avgpool(self.features(s)), 1)))


class Segmentation(nn.Module):
    def __init__(self, p):
        super().__init__()
        backbone, stages, fc, _, k, dilated = p
        channels = 256 if backbone == "alexnet" else stages[-1][-1]
        d = 4 if dilated else 1
        self.features = features(backbone, stages, dilate=dilated, fully_convolutional=True)
        self.fc6 = nn.Conv2d(channels, fc, k, dilation=d)
        # fc6's reach split before and after, the extra cell of an even kernel after (SegCluster's FcnTrunk.Fc6Padding).
        reach = d * (k - 1)
        self.fc6_pad = (reach // 2, reach - reach // 2) * 2
        self.drop6 = nn.Dropout()
        self.fc7 = nn.Conv2d(fc, fc, 1)
        self.drop7 = nn.Dropout()

    def forward(self, q):
        x = F.pad(self.features(q), self.fc6_pad)
        x = self.drop6(F.relu(self.fc6(x)))
        return self.drop7(F.relu(self.fc7(x)))


class Oslsm(nn.Module):
    def __init__(self, preset):
        super().__init__()
        self.conditioning = Conditioning(PRESETS[preset])
        self.segmentation = Segmentation(PRESETS[preset])

    def forward(self, query, supports):
        params = self.conditioning(supports)
        feats = self.segmentation(query)
        c = feats.shape[1]
        coarse = F.conv2d(feats, params[:, :c].reshape(-1, c, 1, 1), params[:, c])
        return F.interpolate(coarse, size=query.shape[2:], mode="bilinear", align_corners=False).squeeze(0)


MEAN = torch.tensor([0.485, 0.456, 0.406]).reshape(3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).reshape(3, 1, 1)


def read_mask(path):
    """A VOC palette PNG's class indices (255 void)."""
    with Image.open(path) as image:
        return np.asarray(image)


def read_rgb(path):
    with Image.open(path) as image:
        return image.convert("RGB")


def image_tensor(image, size, keep=None):
    """[3, size, size]: bilinear resize, ImageNet normalisation; zero where keep (if given) is not 1."""
    rgb = np.asarray(image.resize((size, size), Image.BILINEAR), dtype=np.float32)
    x = (torch.from_numpy(rgb / np.float32(255)).permute(2, 0, 1) - MEAN) / STD
    return x if keep is None else x * torch.from_numpy(keep == 1)


def binary(mask, class_id, size):
    """The mask resized (nearest, SegCluster's index rule) to size x size: 1 class, 0 other, 255 void."""
    h, w = mask.shape
    rows = np.minimum(h - 1, np.arange(size) * h // size)
    cols = np.minimum(w - 1, np.arange(size) * w // size)
    m = mask[rows[:, None], cols[None, :]]
    return np.where(m == 255, 255, np.where(m == class_id, 1, 0)).astype(np.uint8)


def run_episode(model, e):
    class_id = e["classId"]
    query_image = read_rgb(e["query"])
    height, width = query_image.height, query_image.width
    query = image_tensor(query_image, e["querySize"]).unsqueeze(0)
    supports = torch.stack([image_tensor(read_rgb(s["image"]), e["supportSize"], binary(read_mask(s["mask"]), class_id, e["supportSize"]))
                            for s in e["supports"]])
    logits = model(query, supports)
    full = F.interpolate(logits.unsqueeze(0), size=(height, width), mode="bilinear", align_corners=False).squeeze(0)
    predicted = (full > 0).any(0).numpy()          # sigmoid > 0.5
    truth = read_mask(e["queryMask"])
    valid, foreground = truth != 255, truth == class_id
    tp = int((predicted & foreground & valid).sum())
    union = int(((predicted | foreground) & valid).sum())
    return {"query": query, "supports": supports, "logits": logits, "mask": torch.from_numpy(predicted.astype(np.uint8)),
            "iou": tp / union if union else 0.0}


def main():
    torch.set_num_threads(int(__import__("os").environ.get("TORCH_THREADS", "1")))
    if sys.argv[1] == "write":
        preset, seed, weights, inputs, logits = sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
        query_size, support_size, shots = int(sys.argv[7]), int(sys.argv[8]), int(sys.argv[9])
        torch.manual_seed(seed)
        model = Oslsm(preset).eval()
        torch.save(model.state_dict(), weights)
        query = torch.randn(1, 3, query_size, query_size + 8)
        supports = torch.randn(shots, 3, support_size, support_size)
        torch.save({"query": query, "supports": supports}, inputs)
        with torch.no_grad():
            torch.save({"logits": model(query, supports)}, logits)
    elif sys.argv[1] == "imagenet":
        preset, seed, out = sys.argv[2], int(sys.argv[3]), sys.argv[4]
        torch.manual_seed(seed)
        c = Conditioning(PRESETS[preset])
        state = {k: v for k, v in c.state_dict().items() if not k.startswith("hashing.")}
        torch.save(state, out)
    elif sys.argv[1] == "serve":
        preset, weights, episode_file, out_file = sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
        model = Oslsm(preset).eval()
        model.load_state_dict(torch.load(weights))
        with open(episode_file) as f:
            episode = json.load(f)
        print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
        last = None
        with torch.no_grad():
            for line in sys.stdin:
                if line.strip() != "episode":
                    sys.exit(f"serve: unknown request {line.strip()!r}")
                start = time.perf_counter()
                last = run_episode(model, episode)
                print(json.dumps({"seconds": time.perf_counter() - start, "iou": last["iou"]}), flush=True)
        if last is not None:
            torch.save({k: v.contiguous() for k, v in last.items() if k != "iou"}, out_file)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
