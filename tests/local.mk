# Core unit and integration tests.
