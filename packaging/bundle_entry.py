"""The bundled program's entry point: the same command line as the installed `resnet-studio` script."""

from resnet_studio.cli import main

raise SystemExit(main())
