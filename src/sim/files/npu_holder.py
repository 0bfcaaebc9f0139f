import os, signal, sys, time
sys.path.insert(0, os.path.join(sys.argv[1], ".sim", "lib"))
import ascend_sim
root = sys.argv[1]
def bye(*_):
    ascend_sim.unregister(root)
    sys.exit(0)
signal.signal(signal.SIGTERM, bye)
signal.signal(signal.SIGINT, bye)
ascend_sim.register(root, range(int(sys.argv[2])), int(sys.argv[3]), kind="foreign")
while True:
    time.sleep(3600)
