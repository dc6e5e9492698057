using System.Security.Cryptography;
using TrialManager.Domain.Auditing;

namespace TrialManager.Domain.Tests.Auditing;

public sealed class AuditChainVerifierTests
{
    private static readonly byte[] Key = RandomNumberGenerator.GetBytes(32);

    /// <summary>A chain of <paramref name="versions"/>.Length events, each hashed with its version (and the key for version 2).</summary>
    private static List<ChainLink> Chain(params int[] versions)
    {
        var links = new List<ChainLink>();
        var previous = AuditChain.Genesis;
        for (var i = 0; i < versions.Length; i++)
        {
            var entry = new AuditEntry(new DateTimeOffset(2026, 12, 1, 12, 0, i, TimeSpan.Zero), "dev-admin", "admin", "CreateTrial", "t-1", "Trial", "t-1", $"[{i}]");
            var link = new ChainLink(i + 1, versions[i], previous, AuditChain.Hash(versions[i], i + 1, previous, entry, Key), entry);
            links.Add(link);
            previous = link.Hash;
        }

        return links;
    }

    /// <summary>The first problem the verifier reports, with the sequence of its event; null for a sound chain.</summary>
    private static (long Sequence, string Problem)? Verify(IEnumerable<ChainLink> links, byte[]? key = null)
    {
        var verifier = new AuditChainVerifier(key ?? Key);
        foreach (var link in links)
        {
            if (verifier.Check(link) is { } problem)
            {
                return (link.Sequence, problem);
            }
        }

        return verifier.CheckEnd() is { } end ? (verifier.Verified, end) : null;
    }

    /// <summary>What someone with database access but without the key can do: recompute every hash from an event on.</summary>
    private static List<ChainLink> RewrittenFrom(List<ChainLink> chain, int from, int version)
    {
        var links = chain.Take(from - 1).ToList();
        var previous = links.Count == 0 ? AuditChain.Genesis : links[^1].Hash;
        foreach (var link in chain.Skip(from - 1))
        {
            var entry = link.Sequence == from ? link.Entry with { Changes = "[]" } : link.Entry;
            // Without the key, a "keyed" hash can only be guessed: the attacker uses the published algorithm.
            var hash = AuditChain.Hash(link.Sequence, previous, entry);
            links.Add(new ChainLink(link.Sequence, version, previous, hash, entry));
            previous = hash;
        }

        return links;
    }

    [Fact]
    public void Verify_AcceptsAKeyedChain_AndAnUnkeyedPrefixWrittenBeforeTheKey()
    {
        Assert.Null(Verify(Chain(2, 2, 2)));
        Assert.Null(Verify(Chain(1, 1, 1, 2, 2)));
        Assert.Null(Verify([]));
    }

    [Fact]
    public void Verify_WithAnotherKey_ReportsTheFirstKeyedEvent()
    {
        Assert.Equal((3L, "its content does not match its hash; it was edited"), Verify(Chain(1, 1, 2, 2), RandomNumberGenerator.GetBytes(32)));
    }

    [Fact]
    public void Verify_WhenAnEventIsRewrittenWithPlainHashes_ReportsIt_WhateverVersionTheRewriteClaims()
    {
        var chain = Chain(1, 1, 2, 2, 2, 2);

        Assert.Equal((4L, "its content does not match its hash; it was edited"), Verify(RewrittenFrom(chain, 4, AuditChain.KeyedVersion)));
        Assert.Equal((4L, "it is not keyed although an earlier event is; it was rewritten without the key"),
            Verify(RewrittenFrom(chain, 4, AuditChain.PlainVersion)));
    }

    [Fact]
    public void Verify_WhenTheWholeChainIsRewrittenAsUnkeyed_ReportsThatItDoesNotEndKeyed()
    {
        var rewritten = RewrittenFrom(Chain(1, 1, 2, 2), 1, AuditChain.PlainVersion);

        Assert.Equal((4L, "the chain ends on an event that is not keyed; it was rewritten without the key"), Verify(rewritten));
    }

    [Fact]
    public void Verify_ReportsAnUnknownHashVersion()
    {
        var chain = Chain(2, 2);
        chain[1] = chain[1] with { HashVersion = 3 };

        Assert.Equal((2L, "its hash version is unknown; it was edited"), Verify(chain));
    }
}
