"""Commands: each wires a source, the pose stage, the engine and sinks together."""
