# frozen_string_literal: true

# A stand-in for NBGallery's OAuth provider side: Doorkeeper (Debian's
# ruby-doorkeeper) in a one-file Rails app, configured like NBGallery's
# config/initializers/doorkeeper.rb, with NBGallery's GET /oauth/userinfo.
# pkg/testbed starts it as
#   RAILS_ENV=development DOORKEEPER_CONFIG=state.json \
#     rackup -s webrick -E none -o 127.0.0.1 -p PORT config.ru
# (-E none keeps rackup's own development middleware, Rack::Lint among them,
# out; Rails takes its environment from RAILS_ENV.)
#
# DOORKEEPER_CONFIG names a JSON file:
#   { "db_path": "/tmp/x/doorkeeper.sqlite3",      recreated at every start
#     "result_file": "/tmp/x/result.json",         the seeded applications, written before serving
#     "users": [ {"user_name", "email", "password", "first_name", "last_name", "org", "admin"} ],
#     "applications": [ {"name", "redirect_uri", "scopes", "uid"?, "secret"?, "confidential"?} ] }
# Without it, the defaults below are used (handy for running it by hand).
#
# RAILS_ENV matters for one thing that NBGallery users meet: Doorkeeper's
# force_ssl_in_redirect_uri defaults to !Rails.env.development?, so in
# production (as a real NBGallery runs) an http:// redirect URI is refused
# with "must be an HTTPS/SSL URI", loopback included. The tests run
# development mode because their hubs listen on plain http://127.0.0.1;
# production mode shows the refusal in the seeding result.

require "erb"
require "json"
require "openssl"
require "securerandom"
require "tmpdir"
require "rails"
require "active_record/railtie"
require "action_controller/railtie"
require "action_view/railtie"
require "doorkeeper"

$stdout.sync = true # the log is a file; keep Rails' lines in order with WEBrick's

CONFIG = ENV["DOORKEEPER_CONFIG"] ? JSON.parse(File.read(ENV["DOORKEEPER_CONFIG"])) : {}
DEFAULT_USERS = [
  { "user_name" => "alice", "email" => "alice@example.org", "password" => "alice-password",
    "first_name" => "Alice", "last_name" => "Liddell", "org" => "Wonderland" },
  { "user_name" => "bob", "email" => "bob@example.org", "password" => "bob-password",
    "first_name" => "Bob", "last_name" => "Builder", "org" => "Site" },
  { "user_name" => "admin", "email" => "admin@example.org", "password" => "admin-password",
    "first_name" => "Ada", "last_name" => "Admin", "org" => "Gallery", "admin" => true },
].freeze
DEFAULT_APPLICATIONS = [
  { "name" => "jupyterhub", "redirect_uri" => "http://127.0.0.1:8000/hub/oauth_callback", "scopes" => "read" },
].freeze

db_path = CONFIG["db_path"] || File.join(Dir.tmpdir, "doorkeeper-testbed.sqlite3")
# A file, not :memory:, which would be one database per connection under
# the threaded server.
File.delete(db_path) if File.exist?(db_path)
ENV["DATABASE_URL"] = "sqlite3:#{db_path}"

class DoorkeeperTestbed < Rails::Application
  config.load_defaults 6.1 # brings forgery protection, which Doorkeeper's forms rely on
  config.root = Dir.pwd    # keeps Rails' tmp/ out of the source tree
  config.eager_load = false
  config.hosts.clear
  config.secret_key_base = "hubctl-testbed-doorkeeper-secret-key-base-0123456789abcdef"
  # NBGallery's cookie name (config/initializers/session_store.rb), which
  # hubctl app's session mode assumes for a bare cookie value.
  config.session_store :cookie_store, key: "_jupyter-gallery_session"
  config.logger = ActiveSupport::Logger.new($stdout)
  config.log_level = :info # :debug adds every SQL statement
  config.colorize_logging = false
  config.active_support.deprecation = :stderr
end

# The same settings as NBGallery's initializer; NBGallery's
# resource_owner_authenticator is "current_user || warden.authenticate!",
# which Devise turns into a redirect to /users/sign_in.
Doorkeeper.configure do
  orm :active_record
  resource_owner_authenticator do
    User.find_by(id: session[:user_id]) || begin
      session[:user_return_to] = request.fullpath
      redirect_to "/users/sign_in"
    end
  end
  admin_authenticator do |_routes|
    user = User.find_by(id: session[:user_id])
    # NBGallery raises User::Forbidden here, which Doorkeeper's controllers
    # don't rescue (a 500 there); a plain 403 is clearer in tests.
    head :forbidden unless user&.admin?
    user
  end
  default_scopes :read
  optional_scopes :write
  enforce_configured_scopes
end

DoorkeeperTestbed.initialize!
# Names for the scopes on the consent page (Doorkeeper ships none).
I18n.backend.store_translations(:en, doorkeeper: { scopes: {
  read: "Read your profile and notebooks", write: "Change your notebooks",
} })

# --- schema: NBGallery's users columns, Doorkeeper's own migration -----------
ActiveRecord::Migration.verbose = false
ActiveRecord::Schema.define do
  create_table :users do |t|
    t.string :user_name, null: false, index: { unique: true }
    t.string :email, null: false
    t.string :first_name
    t.string :last_name
    t.string :org
    t.boolean :admin, null: false, default: false
    t.boolean :approved, null: false, default: true
    t.string :password_digest, null: false
    t.timestamps
  end
end
template = Gem.find_files("generators/doorkeeper/templates/migration.rb.erb").first or
  abort("doorkeeper's migration template not found; is ruby-doorkeeper installed?")
eval(ERB.new(File.read(template)).result_with_hash(migration_version: "[6.1]")) # rubocop:disable Security/Eval
CreateDoorkeeperTables.new.migrate(:up)

class User < ActiveRecord::Base
  # What NBGallery's GET /oauth/userinfo returns: the users columns minus
  # Devise's secrets. Deliberately no "sub".
  USERINFO_FIELDS = %w[id email first_name last_name org admin user_name approved created_at updated_at].freeze

  def self.digest(password, salt)
    OpenSSL::KDF.pbkdf2_hmac(password, salt: salt, iterations: 1000, length: 32, hash: "sha256").unpack1("H*")
  end

  def self.authenticate(login, password)
    user = find_by(user_name: login) || find_by(email: login)
    return nil unless user && password

    salt, hash = user.password_digest.split("$", 2)
    ActiveSupport::SecurityUtils.secure_compare(digest(password, salt), hash) ? user : nil
  end

  def password=(password)
    salt = SecureRandom.hex(8)
    self.password_digest = "#{salt}$#{self.class.digest(password, salt)}"
  end

  def as_json(options = nil)
    super((options || {}).merge(only: USERINFO_FIELDS))
  end
end

class ApplicationController < ActionController::Base
end

# A plain login form at Devise's path and with Devise's field names.
class SessionsController < ApplicationController
  def new
    render_form
  end

  def create
    user = User.authenticate(params.dig(:user, :email), params.dig(:user, :password))
    return render_form("Invalid login or password.", :unauthorized) unless user

    session[:user_id] = user.id
    redirect_to session.delete(:user_return_to) || "/"
  end

  def destroy
    reset_session
    redirect_to "/users/sign_in"
  end

  private

  def render_form(alert = nil, status = :ok)
    token = ERB::Util.html_escape(form_authenticity_token)
    render status: status, html: <<~HTML.html_safe
      <!DOCTYPE html>
      <html><head><title>Log in</title></head><body>
      #{alert ? "<p class=\"alert\">#{alert}</p>" : ""}
      <form action="/users/sign_in" method="post">
        <input type="hidden" name="authenticity_token" value="#{token}">
        <label>Email or user name <input type="text" name="user[email]"></label>
        <label>Password <input type="password" name="user[password]"></label>
        <input type="submit" name="commit" value="Log in">
      </form>
      </body></html>
    HTML
  end
end

class UsersController < ApplicationController
  before_action :doorkeeper_authorize!, only: :userinfo

  def userinfo
    render json: User.find(doorkeeper_token.resource_owner_id).to_json
  end
end

# NBGallery draws Doorkeeper's routes only when its OAuth provider is on
# (config/routes.rb: `if GalleryConfig.oauth_provider_enabled`, which
# GALLERY__OAUTH_PROVIDER_ENABLED sets; off by default). Its userinfo route
# is drawn either way.
OAUTH_PROVIDER_ENABLED = ENV.fetch("GALLERY__OAUTH_PROVIDER_ENABLED", "false") == "true"

Rails.application.routes.draw do
  use_doorkeeper if OAUTH_PROVIDER_ENABLED
  get "oauth/userinfo" => "users#userinfo"
  get "users/sign_in" => "sessions#new"
  post "users/sign_in" => "sessions#create"
  delete "users/sign_out" => "sessions#destroy"
  get "up" => ->(_env) { [200, { "Content-Type" => "text/plain" }, ["ok\n"]] }
  root to: ->(_env) { [200, { "Content-Type" => "text/plain" }, ["Doorkeeper test bed (NBGallery stand-in)\n"]] }
end

# --- seed ------------------------------------------------------------------
(CONFIG["users"] || DEFAULT_USERS).each do |u|
  User.create!(u.slice("user_name", "email", "first_name", "last_name", "org", "admin", "password"))
end

results = (CONFIG["applications"] || DEFAULT_APPLICATIONS).map do |a|
  app = Doorkeeper::Application.new(
    name: a["name"], redirect_uri: a["redirect_uri"], scopes: a["scopes"] || "read",
    confidential: a.fetch("confidential", true),
  )
  app.uid = a["uid"] if a["uid"].to_s != ""
  app.secret = a["secret"] if a["secret"].to_s != ""
  if app.save
    { "name" => app.name, "id" => app.id, "uid" => app.uid, "secret" => app.plaintext_secret || app.secret,
      "redirect_uri" => app.redirect_uri, "scopes" => app.scopes.to_s, "errors" => [] }
  else
    { "name" => a["name"], "redirect_uri" => a["redirect_uri"], "errors" => app.errors.full_messages }
  end
end
results.each { |r| puts "seeded application: #{r.to_json}" }
if CONFIG["result_file"]
  File.write("#{CONFIG["result_file"]}.tmp", JSON.pretty_generate({ "rails_env" => Rails.env, "applications" => results }))
  File.rename("#{CONFIG["result_file"]}.tmp", CONFIG["result_file"])
end
puts "doorkeeper #{Doorkeeper::VERSION::STRING} on rails #{Rails.version}, RAILS_ENV=#{Rails.env}, " \
     "force_ssl_in_redirect_uri=#{Doorkeeper.config.force_ssl_in_redirect_uri.inspect}, oauth_provider_enabled=#{OAUTH_PROVIDER_ENABLED}"

run Rails.application
