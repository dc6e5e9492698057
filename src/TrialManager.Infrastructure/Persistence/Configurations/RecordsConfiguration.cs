using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using TrialManager.Domain.Documents;
using TrialManager.Domain.Trials;

namespace TrialManager.Infrastructure.Persistence.Configurations;

internal sealed class RandomizationStateConfiguration : IEntityTypeConfiguration<RandomizationState>
{
    public void Configure(EntityTypeBuilder<RandomizationState> builder)
    {
        builder.ToTable("RandomizationStates");
        builder.HasKey(s => new { s.TrialId, s.StateKey });
        builder.Property(s => s.TrialId).HasMaxLength(40);
        builder.Property(s => s.StateKey).HasMaxLength(200);
        builder.Property(s => s.State).HasMaxLength(20_000);
        builder.HasOne<Trial>().WithMany().HasForeignKey(s => s.TrialId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class SiteCounterConfiguration : IEntityTypeConfiguration<SiteCounter>
{
    public void Configure(EntityTypeBuilder<SiteCounter> builder)
    {
        builder.ToTable("SiteCounters");
        builder.HasKey(s => new { s.TrialId, s.Site });
        builder.Property(s => s.TrialId).HasMaxLength(40);
        builder.Property(s => s.Site).HasMaxLength(16);
        builder.HasOne<Trial>().WithMany().HasForeignKey(s => s.TrialId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class ParticipantCountConfiguration : IEntityTypeConfiguration<ParticipantCount>
{
    public void Configure(EntityTypeBuilder<ParticipantCount> builder)
    {
        builder.ToTable("ParticipantCounts");
        builder.HasKey(c => new { c.TrialId, c.Site, c.Status });
        builder.Property(c => c.TrialId).HasMaxLength(40);
        builder.Property(c => c.Site).HasMaxLength(16);
        builder.HasOne<Trial>().WithMany().HasForeignKey(c => c.TrialId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class ProtocolDocumentConfiguration : IEntityTypeConfiguration<ProtocolDocument>
{
    public void Configure(EntityTypeBuilder<ProtocolDocument> builder)
    {
        builder.ToTable("ProtocolDocuments");
        builder.HasKey(d => d.ParticipantId);
        builder.Property(d => d.ParticipantId).HasMaxLength(64);
        builder.Property(d => d.LastError).HasMaxLength(2_000);
        builder.Property(d => d.Sha256).HasMaxLength(64);
        builder.Property(d => d.ProtocolSha256).HasMaxLength(64);
        builder.HasIndex(d => d.Status);
    }
}

internal sealed class ReportConfiguration : IEntityTypeConfiguration<Report>
{
    public void Configure(EntityTypeBuilder<Report> builder)
    {
        builder.ToTable("Reports");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Id).ValueGeneratedNever();
        builder.Property(r => r.TrialId).HasMaxLength(40);
        builder.Property(r => r.RequestedBy).HasMaxLength(100);
        builder.Property(r => r.LastError).HasMaxLength(2_000);
        builder.Property(r => r.Sha256).HasMaxLength(64);
        builder.HasIndex(r => new { r.TrialId, r.CreatedAt });
        builder.HasIndex(r => r.Status);
        builder.HasOne<Trial>().WithMany().HasForeignKey(r => r.TrialId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<DataFreeze>().WithMany().HasForeignKey(r => r.FreezeId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class DataFreezeConfiguration : IEntityTypeConfiguration<DataFreeze>
{
    public void Configure(EntityTypeBuilder<DataFreeze> builder)
    {
        builder.ToTable("Freezes");
        builder.HasKey(f => f.Id);
        builder.Property(f => f.Id).ValueGeneratedNever();
        builder.Property(f => f.TrialId).HasMaxLength(40);
        builder.Property(f => f.FrozenBy).HasMaxLength(100);
        builder.Property(f => f.Sha256).HasMaxLength(64);
        builder.Property(f => f.EthicsReportSha256).HasMaxLength(64);
        builder.Property(f => f.DsmbReportSha256).HasMaxLength(64);
        builder.HasIndex(f => new { f.TrialId, f.FrozenAt });
        builder.HasOne<Trial>().WithMany().HasForeignKey(f => f.TrialId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class ReportSignatureConfiguration : IEntityTypeConfiguration<ReportSignature>
{
    public void Configure(EntityTypeBuilder<ReportSignature> builder)
    {
        // Rows are only ever added: a signature is never changed or withdrawn.
        builder.ToTable("ReportSignatures");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).ValueGeneratedNever();
        builder.Property(s => s.Signer).HasMaxLength(100);
        builder.Property(s => s.Role).HasMaxLength(32);
        builder.Property(s => s.ContentSha256).HasMaxLength(64);
        builder.HasOne<Report>().WithMany().HasForeignKey(s => s.ReportId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(s => new { s.ReportId, s.SignedAt });
        builder.HasIndex(s => s.ContentSha256);
    }
}
