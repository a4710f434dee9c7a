"""The YAML archive on disk and the derived catalog and index kept in step with it."""
