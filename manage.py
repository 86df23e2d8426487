#!/usr/bin/env python
from kglijn.cli import main

if __name__ == "__main__":
    main()
