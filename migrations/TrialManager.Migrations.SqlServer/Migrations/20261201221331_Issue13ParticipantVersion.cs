using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TrialManager.Migrations.SqlServer.Migrations
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
                type: "int",
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
