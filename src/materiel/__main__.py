"""python -m materiel"""

from .cli import main

main()
