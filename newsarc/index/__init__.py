"""The search index: the backend protocol and its request/result types, and the Whoosh backend."""
