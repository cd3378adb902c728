print("rules benchmark: not written yet")
