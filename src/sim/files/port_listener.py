import socket, sys, time
port = int(sys.argv[1])
while True:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind(("0.0.0.0", port))
        s.listen(16)
        break
    except OSError:
        s.close()
        time.sleep(0.2)
while True:
    time.sleep(3600)
