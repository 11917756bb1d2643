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
        access_jti -> Nullable<Text>,
        access_expires_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    revoked_access_tokens (jti) {
        jti -> Text,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    login_throttles (throttle_key) {
        throttle_key -> Text,
        attempts -> Integer,
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

diesel::table! {
    account_pools (id) {
        id -> Text,
        name -> Text,
        department_id -> Nullable<Text>,
        is_default -> Bool,
        recall_after_days_without_activity -> Nullable<Integer>,
        recall_after_days_without_won_deal -> Nullable<Integer>,
        exempt_with_open_opportunity -> Bool,
        warn_days_before_recall -> Integer,
        max_claims_per_rep_per_day -> Nullable<Integer>,
        max_owned_accounts_per_rep -> Nullable<Integer>,
        previous_owner_cooldown_days -> Nullable<Integer>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        created_by -> Nullable<Text>,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    accounts (id) {
        id -> Text,
        name -> Text,
        name_normalized -> Text,
        uscc -> Nullable<Text>,
        industry -> Nullable<Text>,
        region -> Nullable<Text>,
        address -> Nullable<Text>,
        parent_account_id -> Nullable<Text>,
        tier -> Text,
        lifecycle -> Text,
        owner_id -> Nullable<Text>,
        pool_id -> Nullable<Text>,
        owned_since -> Nullable<Timestamp>,
        last_activity_at -> Nullable<Timestamp>,
        first_won_at -> Nullable<Timestamp>,
        last_won_at -> Nullable<Timestamp>,
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
    account_owner_changes (id) {
        id -> Text,
        account_id -> Text,
        from_owner_id -> Nullable<Text>,
        to_owner_id -> Nullable<Text>,
        pool_id -> Nullable<Text>,
        reason -> Text,
        detail -> Nullable<Text>,
        actor_id -> Nullable<Text>,
        occurred_at -> Timestamp,
    }
}

diesel::table! {
    contacts (id) {
        id -> Text,
        account_id -> Text,
        name -> Text,
        name_normalized -> Text,
        title -> Nullable<Text>,
        email -> Nullable<Text>,
        email_normalized -> Nullable<Text>,
        phone -> Nullable<Text>,
        phone_normalized -> Nullable<Text>,
        is_primary -> Bool,
        last_activity_at -> Nullable<Timestamp>,
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
    pipeline_stages (key) {
        key -> Text,
        name -> Text,
        position -> Integer,
        kind -> Text,
        probability_bps -> Integer,
        forecast_category -> Text,
        required_fields -> Text,
        active -> Bool,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    loss_reasons (code) {
        code -> Text,
        name -> Text,
        position -> Integer,
        active -> Bool,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    competitors (id) {
        id -> Text,
        name -> Text,
        website -> Nullable<Text>,
        notes -> Nullable<Text>,
        active -> Bool,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        created_by -> Nullable<Text>,
    }
}

diesel::table! {
    opportunities (id) {
        id -> Text,
        name -> Text,
        account_id -> Nullable<Text>,
        contact_id -> Nullable<Text>,
        owner_id -> Text,
        amount -> Nullable<BigInt>,
        currency -> Text,
        expected_close_date -> Nullable<Date>,
        stage -> Text,
        probability_bps -> Integer,
        forecast_category -> Text,
        status -> Text,
        loss_reason -> Nullable<Text>,
        loss_note -> Nullable<Text>,
        won_by_competitor_id -> Nullable<Text>,
        next_step -> Nullable<Text>,
        source_lead_id -> Nullable<Text>,
        stage_entered_at -> Timestamp,
        closed_at -> Nullable<Timestamp>,
        last_activity_at -> Nullable<Timestamp>,
        external_id -> Nullable<Text>,
        notes -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        created_by -> Nullable<Text>,
        deleted_at -> Nullable<Timestamp>,
        furthest_rank -> Nullable<Integer>,
        lost_stage -> Nullable<Text>,
    }
}

diesel::table! {
    opportunity_competitors (opportunity_id, competitor_id) {
        opportunity_id -> Text,
        competitor_id -> Text,
    }
}

diesel::table! {
    opportunity_stage_changes (id) {
        id -> Text,
        opportunity_id -> Text,
        action -> Text,
        from_stage -> Nullable<Text>,
        to_stage -> Text,
        from_status -> Nullable<Text>,
        to_status -> Text,
        amount -> Nullable<BigInt>,
        currency -> Text,
        probability_bps -> Integer,
        actor_id -> Nullable<Text>,
        occurred_at -> Timestamp,
    }
}

diesel::table! {
    activities (id) {
        id -> Text,
        kind -> Text,
        subject -> Text,
        body -> Nullable<Text>,
        occurred_at -> Timestamp,
        next_follow_up_at -> Nullable<Timestamp>,
        owner_id -> Text,
        lead_id -> Nullable<Text>,
        account_id -> Nullable<Text>,
        contact_id -> Nullable<Text>,
        opportunity_id -> Nullable<Text>,
        latitude -> Nullable<Double>,
        longitude -> Nullable<Double>,
        location_name -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        created_by -> Nullable<Text>,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    products (id) {
        id -> Text,
        sku -> Text,
        name -> Text,
        unit -> Text,
        list_price -> BigInt,
        currency -> Text,
        tax_rate_bps -> Integer,
        category -> Nullable<Text>,
        description -> Nullable<Text>,
        active -> Bool,
        external_id -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        created_by -> Nullable<Text>,
    }
}

diesel::table! {
    discount_authorities (role) {
        role -> Text,
        max_discount_bps -> Nullable<Integer>,
        updated_at -> Timestamp,
        updated_by -> Nullable<Text>,
    }
}

diesel::table! {
    numbering_rules (document_type) {
        document_type -> Text,
        prefix -> Text,
        counter_width -> Integer,
        updated_at -> Timestamp,
        updated_by -> Nullable<Text>,
    }
}

diesel::table! {
    document_counters (document_type, day) {
        document_type -> Text,
        day -> Date,
        last_value -> Integer,
    }
}

diesel::table! {
    quotes (id) {
        id -> Text,
        number -> Text,
        opportunity_id -> Text,
        currency -> Text,
        status -> Text,
        valid_until -> Date,
        subtotal -> BigInt,
        discount -> BigInt,
        tax -> BigInt,
        total -> BigInt,
        max_discount_bps -> Integer,
        approval_request_id -> Nullable<Text>,
        rejection_reason -> Nullable<Text>,
        notes -> Nullable<Text>,
        submitted_at -> Nullable<Timestamp>,
        sent_at -> Nullable<Timestamp>,
        accepted_at -> Nullable<Timestamp>,
        rejected_at -> Nullable<Timestamp>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        created_by -> Nullable<Text>,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    quote_lines (id) {
        id -> Text,
        quote_id -> Text,
        position -> Integer,
        product_id -> Text,
        description -> Text,
        unit -> Text,
        quantity -> BigInt,
        unit_price -> BigInt,
        discount_bps -> Integer,
        tax_rate_bps -> Integer,
        gross -> BigInt,
        discount -> BigInt,
        net -> BigInt,
        tax -> BigInt,
        total -> BigInt,
    }
}

diesel::table! {
    approval_requests (id) {
        id -> Text,
        document_type -> Text,
        document_id -> Text,
        status -> Text,
        submitted_by -> Text,
        discount_bps -> Integer,
        total -> BigInt,
        currency -> Text,
        current_step -> Integer,
        current_approver_id -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    approval_steps (request_id, position) {
        request_id -> Text,
        position -> Integer,
        approver_id -> Text,
        decision -> Nullable<Text>,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        comment -> Nullable<Text>,
    }
}

diesel::table! {
    orders (id) {
        id -> Text,
        number -> Text,
        account_id -> Text,
        opportunity_id -> Nullable<Text>,
        quote_id -> Nullable<Text>,
        owner_id -> Text,
        currency -> Text,
        status -> Text,
        subtotal -> BigInt,
        discount -> BigInt,
        tax -> BigInt,
        total -> BigInt,
        max_discount_bps -> Integer,
        collected -> BigInt,
        refunded -> BigInt,
        approval_request_id -> Nullable<Text>,
        signed_at -> Nullable<Date>,
        start_date -> Nullable<Date>,
        end_date -> Nullable<Date>,
        booked_at -> Nullable<Date>,
        submitted_at -> Nullable<Timestamp>,
        fulfilled_at -> Nullable<Timestamp>,
        completed_at -> Nullable<Timestamp>,
        cancelled_at -> Nullable<Timestamp>,
        cancel_reason -> Nullable<Text>,
        notes -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        created_by -> Nullable<Text>,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    order_lines (id) {
        id -> Text,
        order_id -> Text,
        position -> Integer,
        product_id -> Text,
        description -> Text,
        unit -> Text,
        quantity -> BigInt,
        unit_price -> BigInt,
        discount_bps -> Integer,
        tax_rate_bps -> Integer,
        gross -> BigInt,
        discount -> BigInt,
        net -> BigInt,
        tax -> BigInt,
        total -> BigInt,
        delivered -> BigInt,
    }
}

diesel::table! {
    deliveries (id) {
        id -> Text,
        order_id -> Text,
        shipped_at -> Date,
        note -> Nullable<Text>,
        created_at -> Timestamp,
        created_by -> Nullable<Text>,
    }
}

diesel::table! {
    delivery_lines (delivery_id, order_line_id) {
        delivery_id -> Text,
        order_line_id -> Text,
        quantity -> BigInt,
    }
}

diesel::table! {
    instalments (id) {
        id -> Text,
        order_id -> Text,
        position -> Integer,
        due_date -> Date,
        amount -> BigInt,
        paid -> BigInt,
        note -> Nullable<Text>,
    }
}

diesel::table! {
    payments (id) {
        id -> Text,
        order_id -> Text,
        instalment_id -> Nullable<Text>,
        amount -> BigInt,
        currency -> Text,
        received_at -> Date,
        method -> Text,
        reference -> Nullable<Text>,
        status -> Text,
        confirmed_on -> Nullable<Date>,
        confirmed_at -> Nullable<Timestamp>,
        confirmed_by -> Nullable<Text>,
        refunded -> BigInt,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        created_by -> Nullable<Text>,
    }
}

diesel::table! {
    payment_allocations (payment_id, instalment_id) {
        payment_id -> Text,
        instalment_id -> Text,
        amount -> BigInt,
    }
}

diesel::table! {
    refunds (id) {
        id -> Text,
        payment_id -> Text,
        order_id -> Text,
        amount -> BigInt,
        currency -> Text,
        reason -> Text,
        refunded_on -> Date,
        created_at -> Timestamp,
        created_by -> Nullable<Text>,
    }
}

diesel::table! {
    targets (id) {
        id -> Text,
        subject_type -> Text,
        subject_id -> Nullable<Text>,
        subject_key -> Text,
        year -> Integer,
        metric -> Text,
        currency -> Text,
        total -> BigInt,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        created_by -> Nullable<Text>,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    target_months (target_id, month) {
        target_id -> Text,
        month -> Integer,
        amount -> BigInt,
    }
}

diesel::table! {
    commission_plans (id) {
        id -> Text,
        name -> Text,
        basis -> Text,
        period -> Text,
        currency -> Text,
        effective_to -> Nullable<Date>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        created_by -> Nullable<Text>,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    commission_plan_versions (id) {
        id -> Text,
        plan_id -> Text,
        effective_from -> Date,
        tier_mode -> Text,
        cap -> Nullable<BigInt>,
        frozen_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        created_by -> Nullable<Text>,
    }
}

diesel::table! {
    commission_tiers (plan_version_id, position) {
        plan_version_id -> Text,
        position -> Integer,
        from_bps -> Integer,
        to_bps -> Nullable<Integer>,
        rate_bps -> Integer,
    }
}

diesel::table! {
    commission_assignments (id) {
        id -> Text,
        plan_id -> Text,
        user_id -> Text,
        basis -> Text,
        valid_from -> Date,
        valid_to -> Nullable<Date>,
        created_at -> Timestamp,
        created_by -> Nullable<Text>,
    }
}

diesel::table! {
    credit_splits (order_id, position) {
        order_id -> Text,
        position -> Integer,
        user_id -> Text,
        share_bps -> Integer,
    }
}

diesel::table! {
    commission_runs (id) {
        id -> Text,
        plan_id -> Text,
        plan_version_id -> Text,
        period -> Text,
        period_start -> Date,
        period_end -> Date,
        status -> Text,
        currency -> Text,
        total -> BigInt,
        computed_at -> Timestamp,
        approved_at -> Nullable<Timestamp>,
        approved_by -> Nullable<Text>,
        paid_at -> Nullable<Timestamp>,
        paid_by -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        created_by -> Nullable<Text>,
    }
}

diesel::table! {
    commission_statements (id) {
        id -> Text,
        run_id -> Text,
        user_id -> Text,
        target -> BigInt,
        credited -> BigInt,
        attainment_bps -> BigInt,
        total -> BigInt,
    }
}

diesel::table! {
    commission_paid_sources (source_id, statement_id) {
        source_id -> Text,
        statement_id -> Text,
    }
}

diesel::table! {
    commission_lines (statement_id, position) {
        statement_id -> Text,
        position -> Integer,
        source_type -> Text,
        source_id -> Text,
        source_number -> Text,
        credit_date -> Date,
        credited_amount -> BigInt,
        split_bps -> Integer,
        tier -> Nullable<Integer>,
        rate_bps -> Nullable<Integer>,
        earning -> BigInt,
        reason -> Nullable<Text>,
        corrects_statement_id -> Nullable<Text>,
    }
}

diesel::joinable!(contacts -> accounts (account_id));
diesel::joinable!(account_owner_changes -> accounts (account_id));
diesel::joinable!(opportunity_competitors -> opportunities (opportunity_id));
diesel::joinable!(opportunity_competitors -> competitors (competitor_id));
diesel::joinable!(opportunity_stage_changes -> opportunities (opportunity_id));
diesel::joinable!(quotes -> opportunities (opportunity_id));
diesel::joinable!(quote_lines -> quotes (quote_id));
diesel::joinable!(approval_steps -> approval_requests (request_id));
diesel::joinable!(order_lines -> orders (order_id));
diesel::joinable!(deliveries -> orders (order_id));
diesel::joinable!(delivery_lines -> deliveries (delivery_id));
diesel::joinable!(instalments -> orders (order_id));
diesel::joinable!(payments -> orders (order_id));
diesel::joinable!(refunds -> payments (payment_id));
diesel::joinable!(payment_allocations -> instalments (instalment_id));
diesel::joinable!(target_months -> targets (target_id));
diesel::joinable!(commission_plan_versions -> commission_plans (plan_id));
diesel::joinable!(commission_tiers -> commission_plan_versions (plan_version_id));
diesel::joinable!(commission_assignments -> commission_plans (plan_id));
diesel::joinable!(commission_statements -> commission_runs (run_id));
diesel::joinable!(commission_runs -> commission_plans (plan_id));
diesel::joinable!(commission_lines -> commission_statements (statement_id));

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
    account_pools,
    accounts,
    account_owner_changes,
    contacts,
    pipeline_stages,
    loss_reasons,
    competitors,
    opportunities,
    opportunity_competitors,
    opportunity_stage_changes,
    activities,
    products,
    discount_authorities,
    numbering_rules,
    document_counters,
    quotes,
    quote_lines,
    approval_requests,
    approval_steps,
    orders,
    order_lines,
    deliveries,
    delivery_lines,
    instalments,
    payments,
    payment_allocations,
    refunds,
    targets,
    target_months,
    commission_plans,
    commission_plan_versions,
    commission_tiers,
    commission_assignments,
    credit_splits,
    commission_runs,
    commission_statements,
    commission_lines,
    commission_paid_sources,
);
