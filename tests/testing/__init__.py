"""Tests of pyprov.testing (the local Sigstore instance and its fixtures)."""
