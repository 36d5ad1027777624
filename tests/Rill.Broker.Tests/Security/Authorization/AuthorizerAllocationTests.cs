using System.Net;
using Rill.Broker.Security.Authorization;

namespace Rill.Broker.Tests.Security.Authorization;

/// <summary>The produce/fetch check on a resource already looked up allocates nothing (the per-resource cache answers it).</summary>
public class AuthorizerAllocationTests
{
    [Fact]
    public void A_repeated_check_allocates_nothing()
    {
        var authorizer = new AclAuthorizer(true, ["User:admin"], false, new InMemoryAclStore());
        var bindings = new List<AclBinding>();
        for (int i = 0; i < 1000; i++)
        {
            bindings.Add(new(new ResourcePattern(AclResourceType.Topic, "topic-" + i, AclPatternType.Literal),
                new AccessControlEntry("User:u" + (i % 10), "*", AclOperation.Write, AclPermissionType.Allow)));
        }
        bindings.Add(new(new ResourcePattern(AclResourceType.Topic, "topic-", AclPatternType.Prefixed),
            new AccessControlEntry("User:u3", "*", AclOperation.Read, AclPermissionType.Allow)));
        bindings.Add(new(new ResourcePattern(AclResourceType.Topic, "*", AclPatternType.Literal),
            new AccessControlEntry("User:u5", "*", AclOperation.Delete, AclPermissionType.Deny)));
        authorizer.Create(bindings);
        var client = new IPEndPoint(IPAddress.Loopback, 5000);
        const string principal = "User:u3", topic = "topic-13";
        Assert.True(authorizer.Authorize(principal, client, AclOperation.Write, AclResourceType.Topic, topic));

        // The JIT's tiering (busier while other test classes run) can allocate once on this thread mid-loop, so the
        // least of three rounds counts: a per-check allocation would show in every round (at least 20,000 x its size).
        long least = long.MaxValue;
        for (int round = 0; round < 3; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            int allowed = 0;
            for (int i = 0; i < 10_000; i++)
            {
                allowed += authorizer.Authorize(principal, client, AclOperation.Write, AclResourceType.Topic, topic) ? 1 : 0;
                allowed += authorizer.Authorize(principal, client, AclOperation.Read, AclResourceType.Topic, topic) ? 1 : 0;
            }
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
            Assert.Equal(20_000, allowed);
        }
        Assert.Equal(0, least);
    }
}
