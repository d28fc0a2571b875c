"""Python references for bench/run: the same work as the opi-tcp scripts in bench/.

Usage: python3 bench/clients.py rt|rt-pwn|send|recv|marker|conns|prompt-server|dialogue-pwn ARGS...
Each prints ELAPSED <seconds> for the measured part only (not the interpreter's start-up).
"""
import asyncio
import socket
import sys
import time


def connect(addr):
    host, port = addr.rsplit(":", 1)
    s = socket.create_connection((host, int(port)))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def done(t):
    print(f"ELAPSED {time.perf_counter() - t:.6f}")


def rt(addr, n):
    s = connect(addr)
    t = time.perf_counter()
    for _ in range(int(n)):
        s.sendall(b"x\n")
        buf = s.recv(64)
        while not buf.endswith(b"\n"):
            buf += s.recv(64)
    done(t)


def pwn_remote(addr):
    from pwn import context, remote

    context.log_level = "error"
    host, port = addr.rsplit(":", 1)
    return remote(host, int(port))


def rt_pwn(addr, n):
    r = pwn_remote(addr)
    t = time.perf_counter()
    for _ in range(int(n)):
        r.send(b"x\n")
        r.recvline()
    done(t)
    r.close()


def send(addr, total, chunk):
    s = connect(addr)
    data = b"x" * int(chunk)
    t = time.perf_counter()
    for _ in range(int(total) // int(chunk)):
        s.sendall(data)
    done(t)


def recv(addr, total, chunk):
    s = connect(addr)
    buf = memoryview(bytearray(int(chunk)))
    got, total = 0, int(total)
    t = time.perf_counter()
    while got < total:
        n = s.recv_into(buf)
        if n == 0:
            break
        got += n
    done(t)
    assert got == total, f"short stream: {got} of {total}"


def marker(addr, size, mark):
    s = connect(addr)
    mark = mark.encode()
    buf = bytearray()
    t = time.perf_counter()
    while True:
        start = max(0, len(buf) - len(mark) + 1)
        chunk = s.recv(1 << 20)
        if not chunk:
            raise SystemExit("no marker")
        buf += chunk
        at = buf.find(mark, start)
        if at >= 0:
            break
    done(t)
    assert at + len(mark) == int(size) + len(mark)


def conns(addr, n):
    host, port = addr.rsplit(":", 1)

    async def main():
        t = time.perf_counter()
        pairs = await asyncio.gather(
            *[asyncio.open_connection(host, int(port)) for _ in range(int(n))]
        )
        for _, w in pairs:
            w.write(b"hello\n")
        await asyncio.gather(*[w.drain() for _, w in pairs])
        lines = await asyncio.gather(*[r.readline() for r, _ in pairs])
        assert all(line == b"hello\n" for line in lines)
        for _, w in pairs:
            w.close()
        await asyncio.gather(*[w.wait_closed() for _, w in pairs])
        done(t)

    asyncio.run(main())


def prompt_server(n):
    """Serves each client N prompts "> ", reading one line after each (a threaded server)."""
    import threading

    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(64)
    print(f"PORT {srv.getsockname()[1]}", flush=True)

    def serve(c):
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        f = c.makefile("rb")
        try:
            for _ in range(int(n)):
                c.sendall(b"> ")
                if not f.readline():
                    return
        except OSError:
            pass
        finally:
            c.close()

    while True:
        c, _ = srv.accept()
        threading.Thread(target=serve, args=(c,), daemon=True).start()


def dialogue_pwn(addr, n):
    r = pwn_remote(addr)
    t = time.perf_counter()
    for _ in range(int(n)):
        r.sendlineafter(b"> ", b"x")
    done(t)
    r.close()


if __name__ == "__main__":
    cmd, *args = sys.argv[1:]
    {
        "rt": rt,
        "rt-pwn": rt_pwn,
        "send": send,
        "recv": recv,
        "marker": marker,
        "conns": conns,
        "prompt-server": prompt_server,
        "dialogue-pwn": dialogue_pwn,
    }[cmd](*args)
