"""A torchvision-layout BasicBlock ResNet (resnet18: 2,2,2,2; resnet34: 3,4,6,3) in plain PyTorch, with trained-looking
batch-norm statistics, saved as a state dict; its last stage's map on a seeded input is saved beside it (reference.pth).
Usage: resnet_reference.py BLOCKS WEIGHTS REFERENCE [bottleneck]"""
import sys
import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(0)


class BasicBlock(nn.Module):
    def __init__(self, inputs, outputs, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(inputs, outputs, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(outputs)
        self.conv2 = nn.Conv2d(outputs, outputs, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(outputs)
        self.downsample = None
        if stride != 1 or inputs != outputs:
            self.downsample = nn.Sequential(nn.Conv2d(inputs, outputs, 1, stride, bias=False), nn.BatchNorm2d(outputs))

    def forward(self, x):
        y = self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x)))))
        return torch.relu(y + (x if self.downsample is None else self.downsample(x)))


class ResNet(nn.Module):
    def __init__(self, blocks):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        channels = 64
        for stage, (count, width) in enumerate(zip(blocks, [64, 128, 256, 512])):
            layers = []
            for b in range(count):
                layers.append(BasicBlock(channels, width, 2 if b == 0 and stage > 0 else 1))
                channels = width
            setattr(self, f"layer{stage + 1}", nn.Sequential(*layers))
        self.fc = nn.Linear(512, 1000)

    def forward(self, x):
        x = self.maxpool(torch.relu(self.bn1(self.conv1(x))))
        return self.layer4(self.layer3(self.layer2(self.layer1(x))))


blocks = [int(b) for b in sys.argv[1].split(",")]
network = ResNet(blocks)
with torch.no_grad():
    for module in network.modules():
        if isinstance(module, nn.BatchNorm2d):
            module.running_mean.uniform_(-0.2, 0.2)
            module.running_var.uniform_(0.5, 2.0)
            module.weight.uniform_(0.5, 1.5)
            module.bias.uniform_(-0.2, 0.2)
network.eval()
state = network.state_dict()
if len(sys.argv) > 4 and sys.argv[4] == "bottleneck":
    state["layer1.0.conv3.weight"] = torch.zeros(256, 64, 1, 1)
torch.save(state, sys.argv[2])
images = torch.randn(2, 3, 64, 80)
with torch.no_grad():
    torch.save({"input": images, "output": network(images)}, sys.argv[3])
