"""Building torch modules from graphs: primitive layers, composite blocks from their plans, the whole network."""

from .blocks import ResidualBlock
from .builder import LayerBuildError, build, check_training
from .init import initialise, materialise
from .layers import Add, ZeroPadShortcut
from .network import Network, NetworkInfo, NodeInfo

__all__ = [
    "Add",
    "LayerBuildError",
    "Network",
    "NetworkInfo",
    "NodeInfo",
    "ResidualBlock",
    "ZeroPadShortcut",
    "build",
    "check_training",
    "initialise",
    "materialise",
]
