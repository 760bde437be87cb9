"""Loopback ports for the servers tests start (MariaDB, moto's S3, bin/serve): free ones picked by
the kernel, so that several runs can share a machine."""
import socket


def port_free(port):
    """Nothing listens on 127.0.0.1:`port`."""
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def free_ports(count):
    """`count` distinct loopback ports nothing listens on now (the kernel's choice)."""
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()
