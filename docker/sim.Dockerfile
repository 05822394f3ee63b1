# FiLM-Nav simulation and training on a plain Debian 12 machine (no ROS apt packages): the same
# set-up as a developer machine, ROS 2 from PyPI wheels. Build from the repository root:
#   docker build -f docker/sim.Dockerfile -t filmnav:sim .
#   docker run --rm -v $PWD/out:/filmnav/out filmnav:sim make demo
FROM python:3.11-bookworm

ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update && apt-get install -y --no-install-recommends \
        cmake g++ make libegl1 libegl-mesa0 libgl1 libgl1-mesa-dri libgbm1 libosmesa6 \
    && rm -rf /var/lib/apt/lists/*

# CPU torch (requirements pin torch==2.13.0; this index serves its CPU build).
ENV PIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu

WORKDIR /filmnav
COPY . .
RUN bash tools/bootstrap.sh
CMD ["make", "demo"]
