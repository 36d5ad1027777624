using Rill.Broker.Config;

namespace Rill.Broker.Tests.Config;

public class JavaPropertiesTests
{
    private static Dictionary<string, string> P(string text) =>
        JavaProperties.Parse(text).GroupBy(kv => kv.Key).ToDictionary(g => g.Key, g => g.Last().Value);

    [Theory]
    [InlineData("a=b", "a", "b")]
    [InlineData("a:b", "a", "b")]
    [InlineData("a b", "a", "b")]
    [InlineData("a\tb", "a", "b")]
    [InlineData("   a = b  ", "a", "b  ")]
    [InlineData("a   :   b", "a", "b")]
    [InlineData("a = = b", "a", "= b")]
    [InlineData("a=", "a", "")]
    [InlineData("a", "a", "")]
    [InlineData("a==b", "a", "=b")]
    [InlineData("a:b=c", "a", "b=c")]
    public void Separators(string text, string key, string value)
    {
        var p = P(text);
        Assert.Equal(value, p[key]);
        Assert.Single(p);
    }

    [Fact]
    public void CommentsAndBlankLines()
    {
        var p = P("# comment\n! also comment\n   # indented comment\n\n   \nx=1\n#y=2\n");
        Assert.Equal(["x"], p.Keys);
    }

    [Fact]
    public void HashInsideValueIsNotAComment()
    {
        Assert.Equal("a#b", P("k=a#b")["k"]);
    }

    [Fact]
    public void LineContinuationDropsLeadingWhitespace()
    {
        var p = P("listeners=PLAINTEXT://a:1,\\\n    PLAINTEXT2://b:2\nnext=x");
        Assert.Equal("PLAINTEXT://a:1,PLAINTEXT2://b:2", p["listeners"]);
        Assert.Equal("x", p["next"]);
    }

    [Fact]
    public void EvenBackslashesDoNotContinue()
    {
        var p = P("a=x\\\\\nb=y");
        Assert.Equal("x\\", p["a"]);
        Assert.Equal("y", p["b"]);
    }

    [Fact]
    public void ContinuedLineStartingWithHashIsNotAComment()
    {
        Assert.Equal("1#2", P("a=1\\\n  #2")["a"]);
    }

    [Fact]
    public void CommentEndingInBackslashDoesNotContinue()
    {
        var p = P("# comment \\\nx=1");
        Assert.Equal("1", p["x"]);
    }

    [Theory]
    [InlineData("\r\n")]
    [InlineData("\r")]
    [InlineData("\n")]
    public void AllLineTerminators(string eol)
    {
        var p = P($"a=1{eol}b=2{eol}c=3\\{eol}  4");
        Assert.Equal("1", p["a"]);
        Assert.Equal("2", p["b"]);
        Assert.Equal("34", p["c"]);
    }

    [Fact]
    public void Escapes()
    {
        var p = P(@"k\ey\=\:\ x=\t\n\r\f\u0041\u00e9\\\q");
        Assert.Equal("\t\n\r\fAé\\q", p["key=: x"]);
    }

    [Fact]
    public void MalformedUnicodeEscapeFails()
    {
        Assert.Throws<ConfigException>(() => JavaProperties.Parse("a=\\u12"));
        Assert.Throws<ConfigException>(() => JavaProperties.Parse("a=\\u12zz"));
    }

    [Fact]
    public void LastDuplicateWinsWhenApplied()
    {
        var c = BrokerConfig.FromProperties(JavaProperties.Parse("num.partitions=2\nnum.partitions=5"));
        Assert.Equal(5, c.NumPartitions);
    }

    [Fact]
    public void TrailingBackslashAtEndOfFile()
    {
        Assert.Equal("x", P("a=x\\")["a"]);
    }

    [Fact]
    public void ServerPropertiesSample()
    {
        const string text = "# comment\n! also a comment\n  num.partitions = 4\nlog.dirs:/tmp/a\\\n  ,/tmp/b\nauto.create.topics.enable false\nkey\\=with\\:escapes=va\\u0041lue\n\n";
        Assert.Equal(
            [new("num.partitions", "4"), new("log.dirs", "/tmp/a,/tmp/b"), new("auto.create.topics.enable", "false"), new("key=with:escapes", "vaAlue")],
            JavaProperties.Parse(text));
    }
}
