"""Hands-free coaching: spoken counts and cues, the guided routine and the session history."""
