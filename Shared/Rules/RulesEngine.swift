// The JsonLogic rules engine: see issue 3.
