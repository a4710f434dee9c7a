"""newsarc: a local news archive in plain YAML with a Whoosh full-text index.

This module stays import-free so that `newsarc --version` answers before click, yaml or whoosh load.
"""

__version__ = "0.1.0"
