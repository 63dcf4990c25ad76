import LeadModel
import LeadServiceKit

/// Who may read and change which routing configuration (issue 3): platform admins everything;
/// managers the locations and teams of their scope (``Permission/configureRouting(locationId:teamId:)``);
/// every other role nothing. Lists are filtered to the caller's scope in SQL.
enum RoutingAccess {
    /// The configuration the caller may list; 403 for roles that may not configure routing at all.
    static func configScope(of principal: Principal) throws -> ConfigScope {
        switch principal.role {
        case .platformAdmin:
            return .all
        case .manager:
            return .scoped(locationIds: principal.scope.locationIds, teamIds: principal.scope.teamIds)
        default:
            throw Problem(status: .forbidden, code: "forbidden", detail: "\(principal.role.rawValue) may not configure routing")
        }
    }

    /// 403 unless the caller may configure `location`.
    static func requireLocation(_ principal: Principal, _ locationId: String) throws {
        try principal.require(.configureRouting(locationId: locationId, teamId: nil))
    }

    /// 403 unless the caller may configure `teamId` (at `locationId`).
    static func requireTeam(_ principal: Principal, teamId: String, locationId: String?) throws {
        try principal.require(.configureRouting(locationId: locationId, teamId: teamId))
    }

    /// 403 unless the caller may change platform-wide settings (platform admins).
    static func requirePlatform(_ principal: Principal) throws {
        try principal.require(.configureRouting(locationId: nil, teamId: nil))
    }

    /// 403 unless the caller may reassign leads by hand (admins and managers; the lead and the
    /// target member must also be in a manager's scope, checked separately).
    static func requireAssigner(_ principal: Principal) throws {
        guard principal.role == .platformAdmin || principal.role == .manager else {
            throw Problem(status: .forbidden, code: "forbidden", detail: "\(principal.role.rawValue) may not reassign leads")
        }
    }
}
