//! The hourly `prune_auth_records` job: expired sign-in states and refresh-token families whose
//! every token expired are deleted; live ones, and a live family's rotated tokens, are kept.

use instacrush::{
    auth::PruneAuthRecords,
    db::now,
    entities::{job::JobState, oauth_state, refresh_token},
    jobs::{NewJob, enqueue},
};
use instacrush_tests::{Backend, TestApp, jobs::all_jobs, on_both_backends};
use sea_orm::{ActiveModelTrait as _, EntityTrait as _, QueryOrder as _, Set};
use time::Duration;

on_both_backends!(expired_states_and_families_are_pruned, the_job_is_registered_and_scheduled);

async fn state(app: &TestApp, hash: &str, expires_in: Duration) {
    let at = now();
    oauth_state::ActiveModel {
        state_hash: Set(hash.to_owned()),
        return_to: Set("/".to_owned()),
        expires_at: Set(at + expires_in),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
}

async fn token(app: &TestApp, user_id: i64, family: &str, hash: &str, expires_in: Duration, rotated: bool) {
    let at = now();
    refresh_token::ActiveModel {
        user_id: Set(user_id),
        family_id: Set(family.to_owned()),
        token_hash: Set(hash.to_owned()),
        expires_at: Set(at + expires_in),
        rotated_at: Set(rotated.then_some(at)),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
}

async fn expired_states_and_families_are_pruned(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.sign_in("ada.demo").await; // a user, a live family
    let user_id = refresh_token::Entity::find().one(&app.db).await.unwrap().unwrap().user_id;
    state(&app, "abandoned", -Duration::minutes(1)).await;
    state(&app, "in-progress", Duration::minutes(5)).await;
    // A family whose every token expired, rotated ones included: gone.
    token(&app, user_id, "expired", "e1", -Duration::days(2), true).await;
    token(&app, user_id, "expired", "e2", -Duration::days(1), false).await;
    // A live family keeps its rotated (even expired) tokens: presenting one is reuse.
    token(&app, user_id, "live", "l1", -Duration::days(1), true).await;
    token(&app, user_id, "live", "l2", Duration::days(1), false).await;

    enqueue(&app.db, NewJob::of(&PruneAuthRecords::default())).await.unwrap();
    app.run_pending_jobs().await;
    let job = all_jobs(&app.db).await.into_iter().find(|job| job.kind == "prune_auth_records").unwrap();
    assert_eq!(job.state, JobState::Succeeded, "{:?}", job.last_error);

    let states: Vec<String> = oauth_state::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|row| row.state_hash)
        .collect();
    assert_eq!(states, ["in-progress"]);
    let tokens: Vec<String> = refresh_token::Entity::find()
        .order_by_asc(refresh_token::Column::Id)
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|row| row.family_id)
        .collect();
    assert_eq!(tokens.len(), 3, "{tokens:?}");
    assert!(!tokens.contains(&"expired".to_owned()), "{tokens:?}");
    assert_eq!(tokens.iter().filter(|family| *family == "live").count(), 2, "{tokens:?}");
}

async fn the_job_is_registered_and_scheduled(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    assert!(instacrush::app::job_registry().kinds().contains(&"prune_auth_records"));
    instacrush::app::job_schedule().fire_all(&app.state.db, &app.state.waker).await;
    let jobs = all_jobs(&app.db).await;
    assert!(jobs.iter().any(|job| job.kind == "prune_auth_records"), "scheduled");
}
