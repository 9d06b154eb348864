// `trustmesh domain create|grant|assign|set|show` (domain_cmd.h). The tx
// commands check their arguments locally (id syntax, rights, subject form)
// before anything is signed; the ledger makes the rights checks.
#include "cli/domain_cmd.h"

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/client_opts.h"
#include "cli/tx_flow.h"
#include "ledger/domains.h"

namespace trustmesh::cli {

using nlohmann::json;

namespace {

struct DomainOptions {
  NodeOptions node;
  std::string keyring;
  std::string key;
  uint64_t fee = 10;
  std::string id;
  bool private_ = false;
  bool public_ = false;
  std::string member;   // grant
  std::string rights;   // grant
  std::string subject;  // assign
};

Done send(const DomainOptions& o, const ledger::Operation& op, const std::string& step,
          const std::string& done) {
  return send_and_report(o.node, o.keyring, o.key, o.fee, op, step, done);
}

Done run_create(const DomainOptions& o) {
  TM_CLI_TRY(ledger::check_domain_id(o.id));
  return send(o, ledger::op::DomainCreate{o.id, o.private_}, "create",
              "created " + std::string(o.private_ ? "private" : "public") + " domain " + o.id +
                  ", administered by " + o.key);
}

Done run_grant(const DomainOptions& o) {
  TM_CLI_TRY(ledger::check_domain_id(o.id));
  Result<Address> member = Address::parse(o.member);
  if (!member.ok()) return make_error(member.error().code, "ADDRESS: " + member.error().message);
  TM_CLI_ASSIGN(uint8_t rights, ledger::parse_rights(o.rights));
  std::string done = rights == 0 ? "removed " + o.member + " from " + o.id
                                 : o.member + " now holds " + ledger::rights_text(rights) + " in " + o.id;
  return send(o, ledger::op::DomainGrant{o.id, *member, rights}, "grant", done);
}

Done run_assign(const DomainOptions& o) {
  TM_CLI_TRY(ledger::check_domain_id(o.id));
  TM_CLI_ASSIGN(std::string subject, ledger::domain_subject(o.subject));
  return send(o, ledger::op::DomainAssign{o.id, subject}, "assign", subject + " is now in domain " + o.id);
}

Done run_set(const DomainOptions& o) {
  TM_CLI_TRY(ledger::check_domain_id(o.id));
  if (o.private_ == o.public_) return make_error(ErrorCode::kInvalidArgument, "say --private or --public");
  return send(o, ledger::op::DomainSet{o.id, o.private_}, "set",
              o.id + " is now " + (o.private_ ? "private" : "public"));
}

Done run_show(const DomainOptions& o) {
  TM_CLI_TRY(ledger::check_domain_id(o.id));
  TM_CLI_ASSIGN(NodeClient node, open_reader(o.node, o.keyring, o.key));
  TM_CLI_ASSIGN(json d, node.get_json("/v1/domains/" + path_segment(o.id)));
  if (o.node.json) {
    std::cout << d.dump() << "\n";
    return kDone;
  }
  std::cout << json_str(d, "id") << " (" << (d.value("private", false) ? "private" : "public")
            << ")\n  members   " << json_uint(d, "member_count") << "\n  subjects  "
            << json_uint(d, "subject_count") << " (" << json_uint(d, "devices") << " devices, "
            << json_uint(d, "models") << " models)\n";
  if (!json_str(d, "caller_rights").empty())
    std::cout << "  you hold  " << json_str(d, "caller_rights") << "\n";
  if (d.contains("members")) {
    for (const json& m : d["members"])
      std::cout << "  member    " << json_str(m, "address") << "  " << json_str(m, "rights") << "\n";
    for (const json& s : d["subjects"]) std::cout << "  subject   " << s.get<std::string>() << "\n";
  } else {
    std::cout << "  (members and subjects are shown to members holding read; sign with --key)\n";
  }
  std::cout << "  as of block " << json_uint(d, "height") << "\n";
  return kDone;
}

}  // namespace

void add_domain_commands(CLI::App& app) {
  CLI::App* domain = app.add_subcommand(
      "domain", "Access domains: group devices and models, and say who may read, update or administer them");
  domain->require_subcommand(1);
  set_examples(domain,
               "Example: trustmesh domain create plant-3 --private --key operator\n"
               "Example: trustmesh domain grant plant-3 tm1... --rights read --key operator\n"
               "Example: trustmesh domain assign plant-3 device:lock-7 --key operator\n"
               "Example: trustmesh domain show plant-3 --key operator");

  auto tx = [&](const char* name, const char* help, const char* example, auto run) {
    auto o = std::make_shared<DomainOptions>();
    CLI::App* cmd = domain->add_subcommand(name, help);
    cmd->add_option("id", o->id, "Domain id (2..64 of a-z 0-9 '-')")->required();
    cmd->add_option("--key", o->key, "Keyring key that signs and pays")->required();
    cmd->add_option("--fee", o->fee, "Tx fee")->capture_default_str();
    add_keyring_option(cmd, o->keyring);
    add_node_options(cmd, o->node);
    set_examples(cmd, example);
    on_run_done(cmd, [o, run] { return run(*o); });
    return std::make_pair(cmd, o);
  };

  auto [create, co] = tx("create", "Create a domain; the --key account becomes its administrator",
                         "Example: trustmesh domain create plant-3 --private --key operator", run_create);
  create->add_flag("--private", co->private_,
                   "Only members holding read see its devices' detail (status and hashes stay public)");

  auto [grant, go] = tx("grant", "Give a member rights, change them, or remove the member (needs administer)",
                        "Example: trustmesh domain grant plant-3 tm1... --rights read --key operator\n"
                        "Example: trustmesh domain grant plant-3 tm1... --rights none --key operator",
                        run_grant);
  grant->add_option("address", go->member, "The member's address (tm1...)")->required();
  grant
      ->add_option("--rights", go->rights,
                   "read, update, administer (each implies the ones before), a comma list of them, or none "
                   "(removes the member)")
      ->required();

  auto [assign, ao] =
      tx("assign", "Put a device you own or a model of your org in the domain (needs update; moves it)",
         "Example: trustmesh domain assign plant-3 device:lock-7 --key operator\n"
         "Example: trustmesh domain assign fleet model:4660/1 --key acme",
         run_assign);
  assign->add_option("subject", ao->subject, "device:NAME or model:VID/PID (decimal)")->required();

  auto [set, so] = tx("set", "Make the domain private or public (needs administer)",
                      "Example: trustmesh domain set plant-3 --public --key operator", run_set);
  auto* priv = set->add_flag("--private", so->private_, "Members' eyes only for its detail");
  set->add_flag("--public", so->public_, "Everyone reads its detail")->excludes(priv);

  auto show_o = std::make_shared<DomainOptions>();
  CLI::App* show = domain->add_subcommand("show", "Show a domain: members and subjects if you may read them");
  show->add_option("id", show_o->id, "Domain id")->required();
  show->add_option("--key", show_o->key,
                   "Sign the request as this keyring key (a private domain lists its members and subjects "
                   "only to members holding read)");
  add_keyring_option(show, show_o->keyring);
  add_node_options(show, show_o->node);
  set_examples(show, "Example: trustmesh domain show plant-3 --key operator --json");
  on_run_done(show, [show_o] { return run_show(*show_o); });
}

}  // namespace trustmesh::cli
