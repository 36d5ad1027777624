# Encodes requests with kafka-python's own protocol classes and prints "name hex" per request body.
from kafka.protocol.metadata import MetadataRequest
from kafka.protocol.offset import OffsetRequest
from kafka.protocol.group import JoinGroupRequest, HeartbeatRequest, SyncGroupRequest, LeaveGroupRequest
from kafka.protocol.commit import OffsetCommitRequest, OffsetFetchRequest, GroupCoordinatorRequest
from kafka.protocol.fetch import FetchRequest
from kafka.protocol.produce import ProduceRequest
from kafka.protocol.api import RequestHeader
from kafka.coordinator.protocol import ConsumerProtocolMemberMetadata, ConsumerProtocolMemberAssignment

requests = {
    "metadata_v1": MetadataRequest[1](topics=["alpha", "beta"]),
    "metadata_v4": MetadataRequest[4](topics=["alpha"], allow_auto_topic_creation=False),
    "list_offsets_v1": OffsetRequest[1](replica_id=-1, topics=[("alpha", [(0, -2), (1, 1700000000000)])]),
    "join_group_v2": JoinGroupRequest[2](group="g", session_timeout=10000, rebalance_timeout=30000, member_id="", protocol_type="consumer", group_protocols=[("range", b"\x00\x01")]),
    "heartbeat_v1": HeartbeatRequest[1](group="g", generation_id=3, member_id="m-1"),
    "sync_group_v1": SyncGroupRequest[1](group="g", generation_id=3, member_id="m-1", group_assignment=[("m-1", b"\x00\x00")]),
    "leave_group_v1": LeaveGroupRequest[1](group="g", member_id="m-1"),
    "offset_commit_v2": OffsetCommitRequest[2](consumer_group="g", consumer_group_generation_id=3, consumer_id="m-1", retention_time=-1, topics=[("alpha", [(0, 42, "")])]),
    "offset_fetch_v1": OffsetFetchRequest[1](consumer_group="g", topics=[("alpha", [0, 1])]),
    "find_coordinator_v0": GroupCoordinatorRequest[0]("g"),
    "fetch_v4": FetchRequest[4](replica_id=-1, max_wait_time=500, min_bytes=1, max_bytes=1000, isolation_level=0, topics=[("alpha", [(0, 10, 1048576)])]),
    "produce_v3": ProduceRequest[3](transactional_id=None, required_acks=-1, timeout=30000, topics=[("alpha", [(0, b"batch-bytes")])]),
    "subscription_v0": ConsumerProtocolMemberMetadata(0, ["alpha", "beta"], None),
    "assignment_v0": ConsumerProtocolMemberAssignment(0, [("alpha", [0, 2])], None),
}
for name, request in requests.items():
    print(name, request.encode().hex())
header = RequestHeader(MetadataRequest[1](topics=["alpha", "beta"]), correlation_id=7, client_id="rill-test")
print("header_metadata_v1", header.encode().hex())
