"""Opens N TLS connections to the gateway, sends nothing more, and holds them for S seconds."""
import socket, ssl, sys, time

host, port, n, hold, ca = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
ctx = ssl.create_default_context(cafile=ca)
conns = []
for _ in range(n):
    s = socket.create_connection((host, port))
    t = ctx.wrap_socket(s, server_hostname="localhost")
    # One request so each connection is a live keep-alive connection, then silence.
    t.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
    t.recv(1024)
    conns.append(t)
print(f"open {len(conns)}", flush=True)
time.sleep(hold)
