"""QoS profiles shared by the stack's nodes."""

from rclpy.qos import (
    DurabilityPolicy,
    HistoryPolicy,
    QoSProfile,
    ReliabilityPolicy,
    qos_profile_sensor_data,
)

# Camera and depth images: best effort, keep the latest few (REP-2003 sensor data).
SENSOR_QOS: QoSProfile = qos_profile_sensor_data

# Latched state (mission status, map): late subscribers get the last message.
LATCHED_QOS = QoSProfile(
    depth=1,
    history=HistoryPolicy.KEEP_LAST,
    reliability=ReliabilityPolicy.RELIABLE,
    durability=DurabilityPolicy.TRANSIENT_LOCAL,
)

# Ordinary reliable streams (odometry, frontiers, detections).
RELIABLE_QOS = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE)

# Odometry: best effort (matches reliable and best-effort publishers) with 2 s of 50 Hz samples
# queued, so a node busy for a moment (integrating a depth frame) loses no poses to pair with.
ODOMETRY_QOS = QoSProfile(
    depth=100, history=HistoryPolicy.KEEP_LAST, reliability=ReliabilityPolicy.BEST_EFFORT
)
