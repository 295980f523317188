"""What the bundle leaves out, and why (read by resnet-studio.spec; checked by tests/test_packaging_bundle.py)."""

from __future__ import annotations

UNUSED_QT = tuple(
    f"PySide6.{name}"
    for name in [
        "Qt3DAnimation",
        "Qt3DCore",
        "Qt3DExtras",
        "Qt3DInput",
        "Qt3DLogic",
        "Qt3DRender",
        "QtBluetooth",
        "QtCharts",
        "QtConcurrent",
        "QtDataVisualization",
        "QtDBus",
        "QtDesigner",
        "QtGraphs",
        "QtHelp",
        "QtHttpServer",
        "QtLocation",
        "QtMultimedia",
        "QtMultimediaWidgets",
        "QtNetwork",
        "QtNetworkAuth",
        "QtNfc",
        "QtPdf",
        "QtPdfWidgets",
        "QtPositioning",
        "QtPrintSupport",
        "QtQml",
        "QtQuick",
        "QtQuick3D",
        "QtQuickControls2",
        "QtQuickWidgets",
        "QtRemoteObjects",
        "QtScxml",
        "QtSensors",
        "QtSerialBus",
        "QtSerialPort",
        "QtSpatialAudio",
        "QtSql",
        "QtStateMachine",
        "QtSvgWidgets",
        "QtTextToSpeech",
        "QtUiTools",
        "QtWebChannel",
        "QtWebEngineCore",
        "QtWebEngineQuick",
        "QtWebEngineWidgets",
        "QtWebSockets",
        "QtWebView",
        "QtXml",
    ]
)
"""Qt modules the app never loads (it uses QtCore, QtGui, QtWidgets, QtSvg, and QtOpenGL, QtOpenGLWidgets and
QtTest through pyqtgraph); leaving one out also leaves out its plugins and libraries."""

UNUSED_PYTHON = (
    "tkinter",
    "pytest",
    "hypothesis",
    "IPython",
    "matplotlib",
    "scipy",
    "pandas",
    "onnx",
    "onnxruntime",
    "onnxscript",
    "pyqtgraph.examples",
    "pyqtgraph.opengl",
    "pyqtgraph.jupyter",
    "setuptools",
    "pip",
)
"""Python packages the bundled app does not use: test and build tools, optional extras (ONNX export needs the
onnx extra, which the bundle does not carry), pyqtgraph's examples, 3D and notebook parts."""

TORCH_TEST_LIBRARIES = frozenset(
    {"libtorchbind_test.so", "libjitbackend_test.so", "libbackend_with_compiler.so", "libaoti_custom_ops.so"}
)
"""Libraries torch's wheel carries for its own C++ tests."""


def wanted(entry_name: str) -> bool:
    """False for files the bundle never reads: C/C++ headers, static libraries, CMake files, type stubs, and
    torch's C++ test programs, test libraries and protoc (about 50 MB)."""
    name = entry_name.replace("\\", "/")
    parts = name.split("/")
    if parts[0] == "torch" and len(parts) > 1:
        if parts[1] in ("include", "share", "test"):
            return False
        if parts[1] == "bin" and parts[-1] != "torch_shm_manager":
            return False
        if parts[1] == "lib" and parts[-1] in TORCH_TEST_LIBRARIES:
            return False
    return not name.endswith((".h", ".hpp", ".cuh", ".a", ".lib", ".cmake", ".pyi"))
