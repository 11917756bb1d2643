//! The diesel schema, written by hand to match `migrations/`.
#![allow(missing_docs)]

diesel::table! {
    settings (key) {
        key -> Text,
        value -> Text,
    }
}

diesel::table! {
    departments (id) {
        id -> Text,
        name -> Text,
        parent_id -> Nullable<Text>,
        head_user_id -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        created_by -> Nullable<Text>,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        name -> Text,
        phone -> Nullable<Text>,
        password_hash -> Text,
        role -> Text,
        department_id -> Nullable<Text>,
        manager_id -> Nullable<Text>,
        active -> Bool,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        created_by -> Nullable<Text>,
    }
}

diesel::table! {
    role_scopes (role) {
        role -> Text,
        scope -> Text,
        updated_at -> Timestamp,
        updated_by -> Nullable<Text>,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Text,
        family_id -> Text,
        user_id -> Text,
        token_hash -> Text,
        expires_at -> Timestamp,
        created_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    revoked_access_tokens (jti) {
        jti -> Text,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    login_throttles (email) {
        email -> Text,
        failures -> Integer,
        window_started_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    leads (id) {
        id -> Text,
        name -> Text,
        company -> Nullable<Text>,
        company_normalized -> Nullable<Text>,
        title -> Nullable<Text>,
        email -> Nullable<Text>,
        email_normalized -> Nullable<Text>,
        phone -> Nullable<Text>,
        phone_normalized -> Nullable<Text>,
        source -> Text,
        industry -> Nullable<Text>,
        region -> Nullable<Text>,
        status -> Text,
        owner_id -> Nullable<Text>,
        score -> Integer,
        next_follow_up_at -> Nullable<Timestamp>,
        last_activity_at -> Nullable<Timestamp>,
        disqualify_reason -> Nullable<Text>,
        converted_account_id -> Nullable<Text>,
        converted_contact_id -> Nullable<Text>,
        converted_opportunity_id -> Nullable<Text>,
        converted_at -> Nullable<Timestamp>,
        external_id -> Nullable<Text>,
        notes -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        created_by -> Nullable<Text>,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_events (id) {
        id -> Text,
        occurred_at -> Timestamp,
        actor_id -> Nullable<Text>,
        action -> Text,
        entity_type -> Text,
        entity_id -> Text,
        changes -> Text,
        request_id -> Nullable<Text>,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    settings,
    departments,
    users,
    role_scopes,
    refresh_tokens,
    revoked_access_tokens,
    login_throttles,
    leads,
    audit_events,
);
