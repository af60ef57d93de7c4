import internal  # a test may include and import what it likes
