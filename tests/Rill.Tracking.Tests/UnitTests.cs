using System.Text;
using Rill.Tracking.Auth;
using Rill.Tracking.Hosting;
using Rill.Tracking.Ingest;
using Rill.Tracking.Positions;

namespace Rill.Tracking.Tests;

public class RegionPartitionMapTests
{
    [Fact]
    public void DefaultSendsSouthToTheFirstHalfAndEveryOtherRegionToTheSecond()
    {
        var map = RegionPartitionMap.Default(12);
        for (int i = 0; i < 200; i++)
        {
            Assert.InRange(map.PartitionFor("south", $"rider-{i}"), 0, 5);
            Assert.InRange(map.PartitionFor("north", $"rider-{i}"), 6, 11);
            Assert.InRange(map.PartitionFor("center", $"rider-{i}"), 6, 11);
        }
        // the seed design: two partitions, south -> 0, the rest -> 1
        var seed = RegionPartitionMap.Default(2);
        Assert.Equal(0, seed.PartitionFor("south", "r1"));
        Assert.Equal(1, seed.PartitionFor("east", "r1"));
    }

    [Fact]
    public void ConfiguredRangesHashRidersWithinTheirRangeStablyAndSpreadThem()
    {
        var map = RegionPartitionMap.Parse("south=0-3, north=4-5, *=6-7", 8);
        var used = new HashSet<int>();
        for (int i = 0; i < 400; i++)
        {
            int p = map.PartitionFor("south", $"r{i}");
            Assert.InRange(p, 0, 3);
            Assert.Equal(p, map.PartitionFor("south", $"r{i}"));
            used.Add(p);
            Assert.InRange(map.PartitionFor("north", $"r{i}"), 4, 5);
            Assert.InRange(map.PartitionFor("west", $"r{i}"), 6, 7);
        }
        Assert.Equal(4, used.Count);
        Assert.Equal(7, map.MaxPartition);
        Assert.Equal(2, RegionPartitionMap.Parse("south=2,*=0-1", 3).PartitionFor("south", "x"));
    }

    [Theory]
    [InlineData("south=0-12,*=0-1")] // beyond the topic
    [InlineData("south=3-1")]
    [InlineData("south")]
    [InlineData("south=a-b")]
    [InlineData("south=0-1,south=2-3")]
    public void RejectsBadMaps(string text) => Assert.Throws<ArgumentException>(() => RegionPartitionMap.Parse(text, 12));
}

public class FrameParserTests
{
    private const long Now = 1_800_000_000_000;

    private static FrameParser.Result Parse(string json) => FrameParser.Parse(Encoding.UTF8.GetBytes(json), Now);

    [Fact]
    public void AcceptsAFullFrameAndAMinimalOne()
    {
        var full = Parse($$"""{"riderId":"r-1","orderId":"o-1","lat":48.1,"lon":11.5,"speedMps":5.5,"heading":90,"ts":{{Now}},"seq":7}""");
        Assert.True(full.IsValid, full.Error);
        Assert.Equal(new RiderFrame("r-1", "o-1", 48.1, 11.5, 5.5, 90, Now, 7), full.Frame);
        var minimal = Parse($$"""{"riderId":"r-1","lat":-90,"lon":180,"ts":{{Now}}}""");
        Assert.True(minimal.IsValid, minimal.Error);
        Assert.Null(minimal.Frame.Seq);
    }

    public static TheoryData<string, string, long?> BadFrames => new()
    {
        { "{not json", FrameErrors.MalformedJson, null },
        { "", FrameErrors.MalformedJson, null },
        { "[1,2]", FrameErrors.NotAnObject, null },
        { "{\"riderId\":\"r-1\",\"lat\":1,\"lon\":1,\"ts\":" + Now + "} trailing", FrameErrors.MalformedJson, null },
        { "{\"riderId\":\"r-1\",\"lat\":\"48.1\",\"lon\":1,\"ts\":" + Now + ",\"seq\":3}", FrameErrors.WrongType, null },
        { "{\"seq\":3,\"riderId\":\"r-1\",\"lat\":\"48.1\",\"lon\":1,\"ts\":" + Now + "}", FrameErrors.WrongType, 3 },
        { "{\"seq\":4,\"riderId\":7,\"lat\":1,\"lon\":1,\"ts\":" + Now + "}", FrameErrors.WrongType, 4 },
        { "{\"seq\":5,\"riderId\":\"r-1\",\"lat\":1,\"lon\":1,\"ts\":1.5}", FrameErrors.WrongType, 5 },
        { "{\"seq\":6,\"riderId\":\"r-1\",\"lat\":1,\"lon\":1,\"ts\":" + Now + ",\"battery\":{\"level\":3}}", FrameErrors.UnknownField, 6 },
        { "{\"seq\":7,\"riderId\":\"r-1\",\"lat\":1,\"lat\":2,\"lon\":1,\"ts\":" + Now + "}", FrameErrors.DuplicateField, 7 },
        { "{\"seq\":8,\"riderId\":\"r-1\",\"lon\":1,\"ts\":" + Now + "}", FrameErrors.MissingField, 8 },
        { "{\"seq\":9,\"riderId\":\"r-1\",\"lat\":90.5,\"lon\":1,\"ts\":" + Now + "}", FrameErrors.LatOutOfRange, 9 },
        { "{\"seq\":10,\"riderId\":\"r-1\",\"lat\":1,\"lon\":-181,\"ts\":" + Now + "}", FrameErrors.LonOutOfRange, 10 },
        { "{\"seq\":11,\"riderId\":\"r-1\",\"lat\":1,\"lon\":1,\"ts\":" + (Now + 120_000) + "}", FrameErrors.TsInFuture, 11 },
        { "{\"seq\":12,\"riderId\":\"r-1\",\"lat\":1,\"lon\":1,\"ts\":" + (Now - 3_600_000) + "}", FrameErrors.TsTooOld, 12 },
        { "{\"seq\":13,\"riderId\":\"r-1\",\"lat\":1,\"lon\":1,\"ts\":" + Now + ",\"speedMps\":-1}", FrameErrors.SpeedOutOfRange, 13 },
        { "{\"seq\":14,\"riderId\":\"r 1; drop\",\"lat\":1,\"lon\":1,\"ts\":" + Now + "}", FrameErrors.BadId, 14 },
        { "{\"seq\":15,\"riderId\":\"r-1\",\"lat\":1e400,\"lon\":1,\"ts\":" + Now + "}", FrameErrors.LatOutOfRange, 15 },
    };

    [Theory]
    [MemberData(nameof(BadFrames))]
    public void RefusesBadFramesWithAReason(string json, string reason, long? seq)
    {
        var result = Parse(json);
        Assert.False(result.IsValid);
        Assert.Equal(reason, result.Error);
        Assert.Equal(seq, result.Seq);
    }
}

public class TokenTests
{
    [Fact]
    public void RiderTokensBindTheRiderAndCannotBeForged()
    {
        var signer = TokenSigner.FromOperatorKey("k1");
        string token = signer.IssueRiderToken("rider-1", "south");
        Assert.True(signer.TryReadRiderToken(token, out string rider, out string region));
        Assert.Equal(("rider-1", "south"), (rider, region));

        // another rider id with the same signature, a different key, an order token, garbage: all refused
        string[] parts = token.Split('.');
        string forged = $"{parts[0]}.{Convert.ToBase64String(Encoding.UTF8.GetBytes("rider-2")).TrimEnd('=')}.{parts[2]}.{parts[3]}";
        Assert.False(signer.TryReadRiderToken(forged, out _, out _));
        Assert.False(TokenSigner.FromOperatorKey("k2").TryReadRiderToken(token, out _, out _));
        Assert.False(signer.TryReadRiderToken(signer.IssueOrderToken("rider-1"), out _, out _));
        Assert.False(signer.TryReadRiderToken("r.x.y.z", out _, out _));
        Assert.False(signer.TryReadRiderToken(null, out _, out _));
    }

    [Fact]
    public void OrderTokensOpenOnlyTheirOrder()
    {
        var signer = TokenSigner.FromOperatorKey("k1");
        string token = signer.IssueOrderToken("order-1");
        Assert.True(signer.CheckOrderToken("order-1", token));
        Assert.False(signer.CheckOrderToken("order-2", token));
        Assert.False(signer.CheckOrderToken("order-1", token[..^2] + "AA"));
    }

    [Fact]
    public void RolesParse()
    {
        Assert.Equal(Roles.Ingest | Roles.History, RolesText.Parse("ingest,history"));
        Assert.Equal(Roles.All, RolesText.Parse("all"));
        Assert.Throws<ArgumentException>(() => RolesText.Parse("ingest,pizza"));
        var o = TrackingOptions.Parse(["--roles", "customer", "--partitions", "6", "--region-partitions", "south=0-2,*=3-5", "--demo"]);
        Assert.Equal(Roles.Customer, o.Roles);
        Assert.True(o.Demo);
        Assert.Throws<ArgumentException>(() => TrackingOptions.Parse(["--nope"]));
    }

    [Fact]
    public void TheIngestWritesTheSameJsonAsTheRiderUpdateRecord()
    {
        foreach (var frame in new[]
        {
            new RiderFrame("r-1", "o-1", 48.123456, 11.5, 5.25, 270, 1_800_000_000_123, 42),
            new RiderFrame("r-1", null, -33.9, 151.2, null, null, 1_800_000_000_000, null),
        })
        {
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            UpdateProducer.WriteValue(buffer, "r-1", "south", frame, 1_800_000_000_999);
            var expected = new RiderUpdate("r-1", frame.OrderId, "south", frame.Lat, frame.Lon, frame.SpeedMps, frame.Heading, frame.Ts, frame.Seq, 1_800_000_000_999);
            Assert.Equal(Encoding.UTF8.GetString(TrackingJson.Serialize(expected)), Encoding.UTF8.GetString(buffer.WrittenSpan));
            Assert.Equal(expected, TrackingJson.Deserialize<RiderUpdate>(buffer.WrittenSpan));
        }
    }
}
