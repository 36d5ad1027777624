using System.Text;
using Rill.Broker.Security;
using Rill.Broker.Security.Scram;
using Rill.Protocol.Sasl;

namespace Rill.Broker.Tests.Security;

public class ScramTests
{
    // RFC 7677 section 3: user "user", password "pencil".
    private const string ClientFirst = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
    private const string ServerNonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    private const string ServerFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    private const string ClientFinal = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    private const string ServerFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

    private static ScramCredentialStore StoreWithRfcUser()
    {
        var store = new ScramCredentialStore();
        byte[] salt = Convert.FromBase64String("W22ZaJ0SNY7soEsUEjb6gQ==");
        byte[] salted = ScramFunctions.SaltedPassword(ScramMechanism.ScramSha256, "pencil", salt, 4096);
        store.Apply([], [("user", ScramMechanism.ScramSha256, ScramCredential.FromSaltedPassword(ScramMechanism.ScramSha256, salt, salted, 4096))]);
        return store;
    }

    private static ScramSaslServer RfcServer(ScramCredentialStore? store = null) =>
        new(ScramMechanism.ScramSha256, store ?? StoreWithRfcUser(), () => ServerNonce);

    private static SaslStep Step(ISaslServer server, string message) => server.Evaluate(Encoding.UTF8.GetBytes(message));

    [Fact]
    public void Client_proof_matches_the_rfc_7677_vector()
    {
        byte[] salted = ScramFunctions.SaltedPassword(ScramMechanism.ScramSha256, "pencil", Convert.FromBase64String("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096);
        string authMessage = "n=user,r=rOprNGfwEbeRWgbNEkqO," + ServerFirst + ",c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
        Assert.Equal("dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", Convert.ToBase64String(ScramFunctions.ClientProof(ScramMechanism.ScramSha256, salted, authMessage)));
        Assert.Equal(ServerFinal[2..], Convert.ToBase64String(ScramFunctions.ServerSignature(ScramMechanism.ScramSha256,
            ScramFunctions.ServerKey(ScramMechanism.ScramSha256, salted), authMessage)));
    }

    [Fact]
    public void Server_runs_the_rfc_7677_exchange()
    {
        ScramSaslServer server = RfcServer();
        SaslStep first = Step(server, ClientFirst);
        Assert.Null(first.Error);
        Assert.False(first.Complete);
        Assert.Equal(ServerFirst, Encoding.UTF8.GetString(first.Response));
        SaslStep final = Step(server, ClientFinal);
        Assert.Null(final.Error);
        Assert.True(final.Complete);
        Assert.Equal("user", final.User);
        Assert.Equal(ServerFinal, Encoding.UTF8.GetString(final.Response));
        Assert.NotNull(Step(server, ClientFinal).Error);
    }

    [Fact]
    public void A_wrong_proof_fails()
    {
        ScramSaslServer server = RfcServer();
        Step(server, ClientFirst);
        string wrong = ClientFinal[..^4] + "AAA=";
        Assert.StartsWith("Authentication failed", Step(server, wrong).Error);
    }

    [Fact]
    public void A_client_final_replayed_into_another_exchange_fails()
    {
        var store = StoreWithRfcUser();
        var server = new ScramSaslServer(ScramMechanism.ScramSha256, store);
        Assert.Null(Step(server, ClientFirst).Error);
        Assert.Equal("Authentication failed: Invalid nonce", Step(server, ClientFinal).Error);
    }

    [Theory]
    [InlineData("")]
    [InlineData("n,,")]
    [InlineData("n,,n=user")]
    [InlineData("n,,n=user,r=")]
    [InlineData("p=tls-unique,,n=user,r=abc")]
    [InlineData("y")]
    [InlineData("n,,r=abc,n=user")]
    [InlineData("n,,n=us=er,r=abc")]
    [InlineData("n,a=other,n=user,r=abc")]
    [InlineData("n,,n=user,r=abc,tokenauth=true")]
    [InlineData("n,,n=nobody,r=abc")]
    public void Bad_client_first_messages_fail(string message) => Assert.NotNull(Step(RfcServer(), message).Error);

    [Theory]
    [InlineData("")]
    [InlineData("c=biws")]
    [InlineData("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0")]
    [InlineData("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=!!!")]
    [InlineData("c=eSws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")]
    [InlineData("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjf")]
    public void Bad_or_truncated_client_final_messages_fail(string message)
    {
        ScramSaslServer server = RfcServer();
        Assert.Null(Step(server, ClientFirst).Error);
        Assert.NotNull(Step(server, message).Error);
        Assert.NotNull(Step(server, ClientFinal).Error);
    }

    [Fact]
    public void Invalid_utf8_fails() => Assert.NotNull(RfcServer().Evaluate([0xff, 0xfe, 0x00]).Error);

    [Fact]
    public void Sha512_exchange_round_trips_and_names_escape()
    {
        var store = new ScramCredentialStore();
        byte[] salt = [1, 2, 3, 4];
        const string user = "a,b=c";
        store.Apply([], [(user, ScramMechanism.ScramSha512, ScramCredential.FromSaltedPassword(ScramMechanism.ScramSha512, salt,
            ScramFunctions.SaltedPassword(ScramMechanism.ScramSha512, "pw", salt, 4096), 4096))]);
        var server = new ScramSaslServer(ScramMechanism.ScramSha512, store);
        string bare = $"n={ScramFunctions.EscapeName(user)},r=clientnonce";
        string serverFirst = Encoding.UTF8.GetString(Step(server, "n,," + bare).Response);
        var attributes = ScramAttributes.Parse(serverFirst)!;
        string withoutProof = "c=biws,r=" + attributes.Get('r');
        byte[] salted = ScramFunctions.SaltedPassword(ScramMechanism.ScramSha512, "pw", Convert.FromBase64String(attributes.Get('s')!), int.Parse(attributes.Get('i')!));
        byte[] proof = ScramFunctions.ClientProof(ScramMechanism.ScramSha512, salted, bare + "," + serverFirst + "," + withoutProof);
        SaslStep final = Step(server, withoutProof + ",p=" + Convert.ToBase64String(proof));
        Assert.Null(final.Error);
        Assert.Equal(user, final.User);
    }

    [Fact]
    public void A_librdkafka_style_nonce_with_the_client_nonce_repeated_is_accepted_as_kafka_does()
    {
        // librdkafka sends r=<client nonce><server's r value>; Kafka's check is endsWith.
        ScramSaslServer server = RfcServer();
        Step(server, ClientFirst);
        byte[] salted = ScramFunctions.SaltedPassword(ScramMechanism.ScramSha256, "pencil", Convert.FromBase64String("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096);
        string withoutProof = "c=biws,r=rOprNGfwEbeRWgbNEkqO" + ServerFirst[2..ServerFirst.IndexOf(',')];
        byte[] proof = ScramFunctions.ClientProof(ScramMechanism.ScramSha256, salted, "n=user,r=rOprNGfwEbeRWgbNEkqO," + ServerFirst + "," + withoutProof);
        SaslStep final = Step(server, withoutProof + ",p=" + Convert.ToBase64String(proof));
        Assert.Null(final.Error);
        Assert.Equal("user", final.User);
    }

    [Fact]
    public void Credentials_persist_across_reload_and_deletions_remove_them()
    {
        using var dir = new TempDirectory();
        var store = new ScramCredentialStore();
        store.Load(dir.Path);
        var credential = new ScramCredential([1], [2, 3], [4, 5], 8192);
        store.Apply([], [("alice", ScramMechanism.ScramSha256, credential), ("alice", ScramMechanism.ScramSha512, credential), ("bob", ScramMechanism.ScramSha256, credential)]);
        var reloaded = new ScramCredentialStore();
        reloaded.Load(dir.Path);
        Assert.Equal(["alice", "bob"], reloaded.Users());
        Assert.Equal([(ScramMechanism.ScramSha256, 8192), (ScramMechanism.ScramSha512, 8192)], reloaded.Describe("alice"));
        Assert.Equal(credential.StoredKey, reloaded.Find("bob", ScramMechanism.ScramSha256)!.StoredKey);
        reloaded.Apply([("bob", ScramMechanism.ScramSha256)], []);
        var third = new ScramCredentialStore();
        third.Load(dir.Path);
        Assert.Equal(["alice"], third.Users());
        Assert.Null(third.Find("bob", ScramMechanism.ScramSha256));
    }
}
