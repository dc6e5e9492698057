using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using TrialManager.Domain.Notifications;
using TrialManager.Domain.Trials;

namespace TrialManager.Infrastructure.Persistence.Configurations;

internal sealed class NotificationConfiguration : IEntityTypeConfiguration<Notification>
{
    public void Configure(EntityTypeBuilder<Notification> builder)
    {
        builder.ToTable("Notifications");
        builder.HasKey(n => n.Id);
        builder.Property(n => n.Id).ValueGeneratedNever();
        builder.Property(n => n.TrialId).HasMaxLength(40);
        // Twenty addresses of at most 254 characters, or one URL.
        builder.Property(n => n.Target).HasMaxLength(6_000);
        builder.Property(n => n.Message).HasJsonConversion().HasMaxLength(4_000);
        builder.Property(n => n.LastError).HasMaxLength(Notification.MaxErrorLength);
        builder.Ignore(n => n.Recipients);
        builder.HasOne<Trial>().WithMany().HasForeignKey(n => n.TrialId).OnDelete(DeleteBehavior.Restrict);
        // The admin's list pages by (trial, creation, id); the sweep looks for what is not sent.
        builder.HasIndex(n => new { n.TrialId, n.CreatedAt, n.Id });
        builder.HasIndex(n => n.Status);
    }
}
