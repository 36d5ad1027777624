using System.Text;
using Rill.Broker.Security;
using Rill.Broker.Security.OAuthBearer;

namespace Rill.Broker.Tests.Security;

public sealed class OAuthBearerTests : IDisposable
{
    private readonly TestJwt _jwt = new();
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    private long Now => _time.GetUtcNow().ToUnixTimeSeconds();

    private JwtValidator Validator(string? issuer = "https://issuer.test", string[]? audience = null, string sub = "sub")
    {
        string jwks = _dir.Sub("jwks.json");
        File.WriteAllText(jwks, _jwt.Jwks());
        string secret = _dir.Sub("secret.key");
        File.WriteAllBytes(secret, _jwt.Secret);
        return new JwtValidator(new JwtKeys(new Uri(jwks).AbsoluteUri, null), issuer, audience ?? ["rill"], sub, TimeSpan.FromSeconds(30), _time);
    }

    private JwtValidator HmacValidator()
    {
        string secret = _dir.Sub("secret.key");
        File.WriteAllText(secret, Convert.ToBase64String(_jwt.Secret));
        var keys = new JwtKeys(null, secret);
        return new JwtValidator(keys, null, [], "sub", TimeSpan.Zero, _time);
    }

    [Fact]
    public void A_valid_rs256_token_from_the_jwks_gives_its_subject_and_expiry()
    {
        JwtPrincipal? p = Validator().Validate(_jwt.Rs256(new { sub = "alice", iss = "https://issuer.test", aud = new[] { "other", "rill" }, exp = Now + 600, iat = Now }), out string? error);
        Assert.Null(error);
        Assert.Equal("alice", p!.Value.Principal);
        Assert.Equal(Now + 600, p.Value.ExpiresAt.ToUnixTimeSeconds());
    }

    [Fact]
    public void The_principal_comes_from_the_configured_claim()
    {
        JwtPrincipal? p = Validator(sub: "preferred_username").Validate(
            _jwt.Rs256(new { sub = "id-1", preferred_username = "bob", iss = "https://issuer.test", aud = "rill", exp = Now + 60 }), out _);
        Assert.Equal("bob", p!.Value.Principal);
    }

    [Fact]
    public void Hmac_secret_key_file_verifies_hs256()
    {
        // The key file holds the secret's text (here base64 text used as the raw secret bytes).
        var secretText = Encoding.UTF8.GetBytes(Convert.ToBase64String(_jwt.Secret));
        JwtValidator validator = HmacValidator();
        string token = Sign(secretText, new { sub = "svc", exp = Now + 60 });
        Assert.Equal("svc", validator.Validate(token, out _)!.Value.Principal);
        Assert.Null(validator.Validate(_jwt.Hs256(new { sub = "svc", exp = Now + 60 }), out string? error));
        Assert.Contains("signature", error);
    }

    private static string Sign(byte[] secret, object claims)
    {
        static string B64(byte[] d) => Convert.ToBase64String(d).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        string signed = B64(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new { alg = "HS256" })) + "." + B64(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(claims));
        return signed + "." + B64(System.Security.Cryptography.HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(signed)));
    }

    public static TheoryData<string, string> Refused => new()
    {
        { "expired", "expired" },
        { "wrong-issuer", "issuer" },
        { "wrong-audience", "audience" },
        { "no-sub", "sub" },
        { "no-exp", "exp" },
        { "not-yet", "nbf" },
        { "unsigned", "alg none" },
        { "other-key", "signature" },
        { "tampered", "signature" },
        { "garbage", "malformed" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Bad_tokens_are_refused_with_the_reason(string kind, string reason)
    {
        var claims = new { sub = "alice", iss = "https://issuer.test", aud = "rill", exp = Now + 600 };
        using var other = new TestJwt();
        string token = kind switch
        {
            "expired" => _jwt.Rs256(new { sub = "alice", iss = "https://issuer.test", aud = "rill", exp = Now - 120 }),
            "wrong-issuer" => _jwt.Rs256(new { sub = "alice", iss = "https://evil.test", aud = "rill", exp = Now + 600 }),
            "wrong-audience" => _jwt.Rs256(new { sub = "alice", iss = "https://issuer.test", aud = "someone-else", exp = Now + 600 }),
            "no-sub" => _jwt.Rs256(new { iss = "https://issuer.test", aud = "rill", exp = Now + 600 }),
            "no-exp" => _jwt.Rs256(new { sub = "alice", iss = "https://issuer.test", aud = "rill" }),
            "not-yet" => _jwt.Rs256(new { sub = "alice", iss = "https://issuer.test", aud = "rill", exp = Now + 600, nbf = Now + 300 }),
            "unsigned" => TestJwt.Unsigned(claims),
            "other-key" => other.Rs256(claims),
            "tampered" => Tamper(_jwt.Rs256(claims)),
            _ => "not.a.jwt!",
        };
        Assert.Null(Validator().Validate(token, out string? error));
        Assert.Contains(reason, error);
    }

    private static string Tamper(string token)
    {
        string[] parts = token.Split('.');
        string claims = Convert.ToBase64String(Encoding.UTF8.GetBytes("{\"sub\":\"admin\",\"iss\":\"https://issuer.test\",\"aud\":\"rill\",\"exp\":9999999999}"))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return parts[0] + "." + claims + "." + parts[2];
    }

    [Fact]
    public void A_token_expires_as_the_clock_moves()
    {
        JwtValidator validator = Validator();
        string token = _jwt.Rs256(new { sub = "alice", iss = "https://issuer.test", aud = "rill", exp = Now + 60 });
        Assert.NotNull(validator.Validate(token, out _));
        _time.Advance(TimeSpan.FromSeconds(91));
        Assert.Null(validator.Validate(token, out string? error));
        Assert.Contains("expired", error);
    }

    private static byte[] Initial(string token, string authzid = "") => Encoding.UTF8.GetBytes($"n,{authzid},\u0001auth=Bearer {token}\u0001\u0001");

    [Fact]
    public void Sasl_server_accepts_a_valid_initial_response()
    {
        var server = new OAuthBearerSaslServer(Validator());
        SaslStep step = server.Evaluate(Initial(_jwt.Rs256(new { sub = "alice", iss = "https://issuer.test", aud = "rill", exp = Now + 60 }), "a=alice"));
        Assert.Null(step.Error);
        Assert.True(step.Complete);
        Assert.Equal("alice", step.User);
        Assert.NotNull(step.CredentialExpiry);
        Assert.NotNull(server.Evaluate([1]).Error);
    }

    [Fact]
    public void Sasl_server_answers_a_bad_token_with_the_rfc_7628_error_then_fails()
    {
        var server = new OAuthBearerSaslServer(Validator());
        SaslStep challenge = server.Evaluate(Initial(_jwt.Rs256(new { sub = "alice", iss = "https://issuer.test", aud = "rill", exp = Now - 600 })));
        Assert.Null(challenge.Error);
        Assert.False(challenge.Complete);
        Assert.Contains("invalid_token", Encoding.UTF8.GetString(challenge.Response));
        Assert.Contains("expired", server.Evaluate([1]).Error);
    }

    [Theory]
    [InlineData("")]
    [InlineData("n,,")]
    [InlineData("n,,\u0001auth=Bearer x.y.z\u0001")]
    [InlineData("n,,\u0001\u0001")]
    [InlineData("y,,\u0001auth=Bearer x.y.z\u0001\u0001")]
    [InlineData("n,,\u0001auth=Basic abc\u0001\u0001")]
    public void Sasl_server_refuses_malformed_messages(string message) =>
        Assert.NotNull(new OAuthBearerSaslServer(Validator()).Evaluate(Encoding.UTF8.GetBytes(message)).Error);

    [Fact]
    public void An_authorization_id_other_than_the_subject_is_refused() =>
        Assert.NotNull(new OAuthBearerSaslServer(Validator()).Evaluate(
            Initial(_jwt.Rs256(new { sub = "alice", iss = "https://issuer.test", aud = "rill", exp = Now + 60 }), "a=admin")).Error);

    [Fact]
    public void Missing_keys_are_a_config_error()
    {
        Assert.Throws<Rill.Broker.Config.ConfigException>(() => new JwtKeys(null, null));
        Assert.Throws<Rill.Broker.Config.ConfigException>(() => new JwtKeys("https://idp.example/jwks", null));
    }

    public void Dispose()
    {
        _jwt.Dispose();
        _dir.Dispose();
    }
}
