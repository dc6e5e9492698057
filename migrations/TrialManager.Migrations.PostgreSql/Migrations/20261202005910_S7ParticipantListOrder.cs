using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TrialManager.Migrations.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class S7ParticipantListOrder : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Participants_TrialId_Status",
                table: "Participants");

            migrationBuilder.CreateIndex(
                name: "IX_Participants_TrialId_ScreenedAt_Id",
                table: "Participants",
                columns: new[] { "TrialId", "ScreenedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Participants_TrialId_Status_ScreenedAt_Id",
                table: "Participants",
                columns: new[] { "TrialId", "Status", "ScreenedAt", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Participants_TrialId_ScreenedAt_Id",
                table: "Participants");

            migrationBuilder.DropIndex(
                name: "IX_Participants_TrialId_Status_ScreenedAt_Id",
                table: "Participants");

            migrationBuilder.CreateIndex(
                name: "IX_Participants_TrialId_Status",
                table: "Participants",
                columns: new[] { "TrialId", "Status" });
        }
    }
}
