#!/usr/bin/python3
"""PyTorch reference of SegCluster's OSLSM network (Learning/Models), same module names and state-dict keys.

usage: oslsm_reference.py write PRESET SEED WEIGHTS.pth INPUTS.pth LOGITS.pth QUERY_SIZE SUPPORT_SIZE SHOTS
  Builds the network with random weights (seeded), saves its state dict, random inputs, and the logits of
  forward(query, supports) in eval mode. SegCluster loads the first two and must reproduce the third.
usage: oslsm_reference.py imagenet PRESET SEED OUT.pth
  Writes a torchvision-layout ImageNet state dict (features.N, classifier.N) with random values.
usage: oslsm_reference.py serve PRESET WEIGHTS.pth INPUTS.pth LOGITS.pth
  Loads both files and prints {"torch": VERSION, "threads": N} (threads from TORCH_THREADS); then, for each line
  "forward" read from standard input, runs forward(query, supports) in eval mode once and prints {"seconds": S};
  at the end of its input saves the last logits. The parity benchmark's PyTorch side, driven forward by forward
  so that both sides alternate on the same machine moment.
"""
import json
import time
import sys
import torch
import torch.nn as nn
import torch.nn.functional as F

PRESETS = {
    # name: (backbone, stages, fc, fc8 outputs, fc6 kernel, dilated)
    "vgg16-fcn32s": ("vgg", [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]], 4096, 1000, 7, False),
    "vgg16-dilated8": ("vgg", [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]], 4096, 1000, 7, True),
    "alexnet": ("alexnet", [], 4096, 1000, 6, False),
    "tiny": ("vgg", [[8], [16], [32], [32], [32]], 64, 100, 2, True),
}


def features(backbone, stages, dilate=False):
    if backbone == "alexnet":
        return nn.Sequential(
            nn.Conv2d(3, 64, 11, stride=4, padding=2), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2),
            nn.Conv2d(64, 192, 5, padding=2), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2),
            nn.Conv2d(192, 384, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2))
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
        self.features = features(backbone, stages, dilate=dilated)
        self.fc6 = nn.Conv2d(channels, fc, k, padding=d * (k // 2), dilation=d)
        self.drop6 = nn.Dropout()
        self.fc7 = nn.Conv2d(fc, fc, 1)
        self.drop7 = nn.Dropout()

    def forward(self, q):
        x = self.features(q)
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
        preset, weights, inputs, logits = sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
        model = Oslsm(preset).eval()
        model.load_state_dict(torch.load(weights))
        x = torch.load(inputs)
        print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
        out = None
        with torch.no_grad():
            for line in sys.stdin:
                if line.strip() != "forward":
                    sys.exit(f"serve: unknown request {line.strip()!r}")
                start = time.perf_counter()
                out = model(x["query"], x["supports"])
                print(json.dumps({"seconds": time.perf_counter() - start}), flush=True)
        if out is not None:
            torch.save({"logits": out}, logits)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
