using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using TrialManager.Domain.Auditing;
using TrialManager.Infrastructure.Auditing;

namespace TrialManager.Infrastructure.Persistence.Configurations;

internal sealed class AuditEventConfiguration : IEntityTypeConfiguration<AuditEvent>
{
    public void Configure(EntityTypeBuilder<AuditEvent> builder)
    {
        builder.ToTable("AuditEvents");
        builder.HasKey(e => e.Sequence);
        builder.Property(e => e.Sequence).ValueGeneratedNever();
        builder.Property(e => e.Actor).HasMaxLength(100);
        builder.Property(e => e.Role).HasMaxLength(32);
        builder.Property(e => e.Action).HasMaxLength(100);
        builder.Property(e => e.TrialId).HasMaxLength(40);
        builder.Property(e => e.RecordType).HasMaxLength(100);
        builder.Property(e => e.RecordId).HasMaxLength(100);
        // Unbounded (text / nvarchar(max)): free text of any script, up to the lengths the API allows, in one event.
        builder.Property(e => e.Changes).HasMaxLength(-1);
        // Rows written before the chain was keyed are version 1.
        builder.Property(e => e.HashVersion).HasDefaultValue(AuditChain.PlainVersion);
        builder.Property(e => e.PreviousHash).HasMaxLength(64);
        builder.Property(e => e.Hash).HasMaxLength(64);
        builder.HasIndex(e => new { e.TrialId, e.Sequence });
    }
}

internal sealed class AuditChainHeadConfiguration : IEntityTypeConfiguration<AuditChainHead>
{
    public void Configure(EntityTypeBuilder<AuditChainHead> builder)
    {
        builder.ToTable("AuditChainHead");
        builder.HasKey(h => h.Id);
        builder.Property(h => h.Id).ValueGeneratedNever();
        builder.Property(h => h.LastHash).HasMaxLength(64);
        builder.HasData(new AuditChainHead { Id = AuditChainHead.SingletonId, LastSequence = 0, LastHash = AuditChain.Genesis });
    }
}
