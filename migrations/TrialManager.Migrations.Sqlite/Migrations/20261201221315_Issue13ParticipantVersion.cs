using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TrialManager.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class Issue13ParticipantVersion : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "Version",
                table: "Participants",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Version",
                table: "Participants");
        }
    }
}
