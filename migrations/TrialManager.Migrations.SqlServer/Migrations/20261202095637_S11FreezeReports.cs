using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TrialManager.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class S11FreezeReports : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "FreezeId",
                table: "Reports",
                type: "uniqueidentifier",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "DsmbReportSha256",
                table: "Freezes",
                type: "nvarchar(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "EthicsReportSha256",
                table: "Freezes",
                type: "nvarchar(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Reports_FreezeId",
                table: "Reports",
                column: "FreezeId");

            migrationBuilder.AddForeignKey(
                name: "FK_Reports_Freezes_FreezeId",
                table: "Reports",
                column: "FreezeId",
                principalTable: "Freezes",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_Reports_Freezes_FreezeId",
                table: "Reports");

            migrationBuilder.DropIndex(
                name: "IX_Reports_FreezeId",
                table: "Reports");

            migrationBuilder.DropColumn(
                name: "FreezeId",
                table: "Reports");

            migrationBuilder.DropColumn(
                name: "DsmbReportSha256",
                table: "Freezes");

            migrationBuilder.DropColumn(
                name: "EthicsReportSha256",
                table: "Freezes");
        }
    }
}
