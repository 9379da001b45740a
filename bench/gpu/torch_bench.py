"""PyTorch peer for bench/gpu: the same ResNet-18/50-shaped networks and MLP that
bench/gpu/run.ts builds with tensorrt-node, timed in eager mode and as CUDA-graph replay,
FP32 and FP16, batch 1 and 32. Prints one JSON object (median milliseconds per inference).

Run on the GPU machine: python bench/gpu/torch_bench.py [--iterations N] [--warmup N]
"""
import argparse
import json
import statistics

import torch
from torch import nn


class Basic(nn.Module):
    expansion = 1

    def __init__(self, cin, width, stride):
        super().__init__()
        cout = width * self.expansion
        self.c1 = nn.Conv2d(cin, width, 3, stride, 1, bias=False)
        self.b1 = nn.BatchNorm2d(width)
        self.c2 = nn.Conv2d(width, cout, 3, 1, 1, bias=False)
        self.b2 = nn.BatchNorm2d(cout)
        self.down = None
        if stride != 1 or cin != cout:
            self.down = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = torch.relu(self.b1(self.c1(x)))
        y = self.b2(self.c2(y))
        return torch.relu(y + (self.down(x) if self.down is not None else x))


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, cin, width, stride):
        super().__init__()
        cout = width * self.expansion
        self.c1 = nn.Conv2d(cin, width, 1, 1, bias=False)
        self.b1 = nn.BatchNorm2d(width)
        self.c2 = nn.Conv2d(width, width, 3, stride, 1, bias=False)
        self.b2 = nn.BatchNorm2d(width)
        self.c3 = nn.Conv2d(width, cout, 1, 1, bias=False)
        self.b3 = nn.BatchNorm2d(cout)
        self.down = None
        if stride != 1 or cin != cout:
            self.down = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = torch.relu(self.b1(self.c1(x)))
        y = torch.relu(self.b2(self.c2(y)))
        y = self.b3(self.c3(y))
        return torch.relu(y + (self.down(x) if self.down is not None else x))


class ResNet(nn.Module):
    def __init__(self, block, layers):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(3, 2, 1))
        blocks, cin = [], 64
        for i, (width, count) in enumerate(zip([64, 128, 256, 512], layers)):
            for j in range(count):
                stride = 2 if i > 0 and j == 0 else 1
                blocks.append(block(cin, width, stride))
                cin = width * block.expansion
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(cin, 1000)

    def forward(self, x):
        x = self.blocks(self.stem(x))
        return self.fc(torch.flatten(torch.mean(x, dim=(2, 3), keepdim=True), 1))


def mlp():
    return nn.Sequential(nn.Linear(1024, 4096), nn.ReLU(), nn.Linear(4096, 4096), nn.ReLU(), nn.Linear(4096, 1000))


NETWORKS = {
    "resnet18": (lambda: ResNet(Basic, [2, 2, 2, 2]), (3, 224, 224)),
    "resnet50": (lambda: ResNet(Bottleneck, [3, 4, 6, 3]), (3, 224, 224)),
    "mlp": (mlp, (1024,)),
}


def time_ms(fn, iterations, warmup):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    times = []
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    for _ in range(iterations):
        start.record()
        fn()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end))
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--iterations", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=10)
    args = parser.parse_args()
    torch.backends.cudnn.benchmark = True
    # FP32 means FP32 math here, as on the tensorrt-node side (no TF32).
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    results = {"device": torch.cuda.get_device_name(0), "torch": torch.__version__, "cases": []}
    for name, (make, dims) in NETWORKS.items():
        for dtype in (torch.float32, torch.float16):
            model = make().cuda().eval().to(dtype)
            for batch in (1, 32):
                x = torch.randn(batch, *dims, device="cuda", dtype=dtype)
                with torch.inference_mode():
                    eager = time_ms(lambda: model(x), args.iterations, args.warmup)
                    graph = torch.cuda.CUDAGraph()
                    side = torch.cuda.Stream()
                    side.wait_stream(torch.cuda.current_stream())
                    with torch.cuda.stream(side):
                        for _ in range(3):
                            model(x)
                    torch.cuda.current_stream().wait_stream(side)
                    with torch.cuda.graph(graph):
                        model(x)
                    replay = time_ms(graph.replay, args.iterations, args.warmup)
                results["cases"].append({
                    "network": name, "dtype": "fp16" if dtype == torch.float16 else "fp32", "batch": batch,
                    "eager_ms": eager, "graph_ms": replay,
                })
            del model
            torch.cuda.empty_cache()
    print(json.dumps(results))


if __name__ == "__main__":
    main()
